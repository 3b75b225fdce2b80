"""Hidden tests of assignment 2 (one module per notebook topic).

The grade ids, their points and the student objects each test loads (``uses``).
Each notebook's tests grade only what that notebook has taught so far: the
FullyConnectedNets tests build nets with ``normalization=None`` and no dropout,
the BatchNormalization tests add the normalization branches, the Dropout tests
the dropout branch.

FullyConnectedNets.ipynb (28 points)
====================  ======  ==========================================================================
grade id              points  uses
====================  ======  ==========================================================================
fc_affine_forward     2       cs231n.layers:affine_forward
fc_affine_backward    3       cs231n.layers:affine_backward          (cache ``(x, w, b)``, as the release builds it)
fc_relu_forward       1       cs231n.layers:relu_forward
fc_relu_backward      1       cs231n.layers:relu_backward            (cache ``x``)
fc_affine_relu        2       cs231n.layer_utils:affine_relu_forward, cs231n.layer_utils:affine_relu_backward
fc_svm_loss           2       cs231n.layers:svm_loss
fc_softmax_loss       2       cs231n.layers:softmax_loss
fc_net_init           2       cs231n.classifiers.fc_net:FullyConnectedNet
fc_net_loss           3       cs231n.classifiers.fc_net:FullyConnectedNet   (scores and loss, with reg)
fc_net_grads          3       cs231n.classifiers.fc_net:FullyConnectedNet   (gradients, with reg)
fc_sgd_momentum       2       cs231n.optim:sgd_momentum
fc_rmsprop            2       cs231n.optim:rmsprop
fc_adam               3       cs231n.optim:adam
====================  ======  ==========================================================================

BatchNormalization.ipynb (18 points)
====================  ======  ==========================================================================
bn_forward_train      3       cs231n.layers:batchnorm_forward         (train mode, running averages written back)
bn_forward_test       2       cs231n.layers:batchnorm_forward         (test mode, invalid mode)
bn_backward           3       cs231n.layers:batchnorm_forward, cs231n.layers:batchnorm_backward
bn_backward_alt       2       cs231n.layers:batchnorm_forward, cs231n.layers:batchnorm_backward_alt
bn_layernorm_forward  2       cs231n.layers:layernorm_forward
bn_layernorm_backward 3       cs231n.layers:layernorm_forward, cs231n.layers:layernorm_backward
bn_fc_net             3       cs231n.classifiers.fc_net:FullyConnectedNet   (normalization="batchnorm"/"layernorm")
====================  ======  ==========================================================================

Dropout.ipynb (8 points)
====================  ======  ==========================================================================
dropout_forward       3       cs231n.layers:dropout_forward
dropout_backward      2       cs231n.layers:dropout_forward, cs231n.layers:dropout_backward
dropout_fc_net        3       cs231n.classifiers.fc_net:FullyConnectedNet   (dropout_keep_ratio < 1, seed)
====================  ======  ==========================================================================

ConvolutionalNetworks.ipynb (30 points)
=======================  ======  ==========================================================================
conv_forward_naive       3       cs231n.layers:conv_forward_naive
conv_backward_naive      4       cs231n.layers:conv_forward_naive, cs231n.layers:conv_backward_naive
conv_max_pool_forward    2       cs231n.layers:max_pool_forward_naive
conv_max_pool_backward   3       cs231n.layers:max_pool_forward_naive, cs231n.layers:max_pool_backward_naive
conv_spatial_bn_forward  3       cs231n.layers:spatial_batchnorm_forward   (train + test mode)
conv_spatial_bn_backward 3       cs231n.layers:spatial_batchnorm_forward, cs231n.layers:spatial_batchnorm_backward
conv_spatial_gn_forward  3       cs231n.layers:spatial_groupnorm_forward
conv_spatial_gn_backward 3       cs231n.layers:spatial_groupnorm_forward, cs231n.layers:spatial_groupnorm_backward
conv_net_loss            3       cs231n.classifiers.cnn:ThreeLayerConvNet   (init shapes/dtype, scores, loss with reg)
conv_net_grads           3       cs231n.classifiers.cnn:ThreeLayerConvNet   (gradients vs autograd, with reg)
=======================  ======  ==========================================================================

PyTorch.ipynb (9 points)
=========================  ======  ========================================================================
torch_flatten              1       cs231n.torch_nets:flatten
torch_two_layer_fc         2       cs231n.torch_nets:two_layer_fc
torch_three_layer_convnet  3       cs231n.torch_nets:three_layer_convnet
torch_module_convnet       3       cs231n.torch_nets:ThreeLayerConvNet   (init statistics, scores, gradients)
=========================  ======  ========================================================================

Modules: ``layers.py`` (affine, ReLU, sandwich, losses), ``optim.py`` (update rules), ``normalization.py``
(batch and layer norm), ``dropout.py``, ``fc_net.py`` (every ``FullyConnectedNet`` cell), ``conv.py`` (naive
conv and max pool), ``spatial_norm.py`` (spatial batch and group norm), ``cnn.py`` (``ThreeLayerConvNet``),
``pytorch.py`` (``cs231n/torch_nets.py``, called through the student-side adapter ``cs231n_lib.torch_bridge``:
tensors and modules do not cross the data-only wire).  References: ``grading.oracles.layers``,
``grading.oracles.optim``, ``grading.oracles.conv`` and ``grading.oracles.torch_nets`` (torch in float64,
autograd).

Isolation: one mistake costs the cells it should, no more (tests/test_hidden_assignment2_mutants.py
checks it on broken copies of the solution).  Backward tests build the release's cache themselves
(affine, ReLU) or grade on the student's own forward (normalization, dropout), saying so when that
forward is already wrong; dropout_backward checks dx against what the student's forward did to x;
the net's cells set their own params, and bn_fc_net and dropout_fc_net use reg = 0 and no dropout /
no normalization respectively.  For example: a batchnorm_backward without the mean's path fails
bn_backward, bn_fc_net and conv_spatial_bn_backward; a dropout without the 1 / p fails dropout_forward
and dropout_fc_net; Adam without bias correction fails fc_adam; an L2 term on the biases fails
fc_net_loss and fc_net_grads; an unbiased batch variance fails bn_forward_train, bn_backward,
bn_backward_alt, bn_fc_net, conv_spatial_bn_forward and conv_spatial_bn_backward; an affine_backward
that does not reshape dx fails fc_affine_backward only (fc_affine_relu uses 2-D x, the nets' gradients
do not include dX, and the provided conv_relu_pool_backward takes a flattened dout).

In ConvolutionalNetworks.ipynb every backward test grades on the student's own forward cache and says so
when that forward is already wrong; ThreeLayerConvNet runs on the provided fast layers (``cs231n_lib``)
through the provided sandwiches, and its cells set their own params.  So: conv padding off by one fails
conv_forward_naive and conv_backward_naive (not the conv_net_* cells); a conv backward whose db is not
summed over the output positions fails conv_backward_naive only; a max-pool backward that routes the
gradient to every entry of the window fails conv_max_pool_backward only; a group norm with the wrong
grouping of channels fails conv_spatial_gn_forward and conv_spatial_gn_backward; a spatial batch norm over
the wrong axes fails conv_spatial_bn_forward and conv_spatial_bn_backward.  (spatial_batchnorm_* reuse the
student's batchnorm_forward/backward, as in CS231n, so a batchnorm bug costs those cells too.)
"""
