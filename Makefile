# Entry points named in README.md.  Everything runs from .venv, created on first use.
PYTHON  ?= python3
VENV    ?= .venv
BIN     := $(VENV)/bin
# The CPU build of torch that these machines install from local disk; GPU users
# override it (see README), e.g. `make lab TORCH_SPEC=torch`.
TORCH_SPEC ?= torch==2.13.0
STAMP   := $(VENV)/.installed
LAB_PORT ?= 8888
# Jupyter refuses to run as root unless told to (containers, CI machines).
LAB_ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root,)

.PHONY: venv system-deps data lab lab-instructor gallery test demo bench release clean-venv

$(STAMP): pyproject.toml
	$(PYTHON) -c 'import sys; sys.exit("Python >= 3.10 is required, found " + sys.version.split()[0]) if sys.version_info < (3, 10) else None'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet "$(TORCH_SPEC)"
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

venv: $(STAMP)

# Debian/Ubuntu: Fashion-MNIST (offline data) and Chromium (browser tests).
# Skipped quietly where apt is missing; never fatal, the data step says what is missing.
system-deps:
	@bash .ci/system-deps.sh

data: venv system-deps
	$(BIN)/python -m cs231n_lib.data status
	$(BIN)/python -m cs231n_lib.data fetch fashion_mnist

# Each launch gets its own Jupyter config dir (grading/tool/lab_config.py): students see no
# nbgrader instructor or exchange tools; `make lab-instructor` shows them all, for the course
# working directory COURSE_DIR (default as in `python -m grading`).
COURSE_DIR ?= $(or $(CS231N_COURSE_DIR),$(HOME)/cs231n-course)

lab: data
	$(BIN)/python -m grading.tool.lab_config student $(VENV)/jupyter-student >/dev/null
	JUPYTER_CONFIG_DIR=$(CURDIR)/$(VENV)/jupyter-student \
	  $(BIN)/jupyter lab --ServerApp.root_dir=$(CURDIR)/assignments --ServerApp.port=$(LAB_PORT) $(LAB_ROOT_FLAG)

lab-instructor: data
	$(BIN)/python -m grading.tool.lab_config instructor $(VENV)/jupyter-instructor "$(COURSE_DIR)" >/dev/null
	cd "$(COURSE_DIR)" && JUPYTER_CONFIG_DIR=$(CURDIR)/$(VENV)/jupyter-instructor \
	  $(CURDIR)/$(BIN)/jupyter lab --ServerApp.root_dir="$(COURSE_DIR)" --ServerApp.port=$(LAB_PORT) $(LAB_ROOT_FLAG)

# Every demo notebook (solutions/demos/*.ipynb) as a standalone web app, no code shown (Voila):
# http://localhost:$(GALLERY_PORT)/ lists them. Own Jupyter config dir (grading/tool/gallery.py).
GALLERY_PORT ?= 8866
gallery: venv
	$(BIN)/python -m grading.tool.gallery --port $(GALLERY_PORT) --config-dir $(VENV)/jupyter-gallery

# Both cores: test files are spread over two workers, a file's tests stay together
# (session fixtures such as the graded demo run once).
PYTEST_WORKERS ?= 2
test: data
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) --dist loadfile

demo: data
	$(BIN)/python -m grading demo $(ARGS)

bench: data
	$(BIN)/python bench/run.py
	$(BIN)/python bench/conv.py
	$(BIN)/python bench/grading.py $(BENCH_GRADING_ARGS)

release: venv
	$(BIN)/python -m grading release

clean-venv:
	rm -rf $(VENV)
