# The lit configuration of the VSLA test suite: FileCheck tests of vsla-opt
# and the other tools, one folder per layer of the project.

import os

import lit.formats
from lit.llvm import llvm_config

config.name = "VSLA"
config.test_format = lit.formats.ShTest(not llvm_config.use_lit_shell)
config.suffixes = [".mlir", ".test"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.vsla_obj_root, "test")
config.excludes = ["CMakeLists.txt", "README.md", "lit.cfg.py", "Unit", "Inputs"]

config.substitutions.append(("%vsla_src_root", config.vsla_src_root))
config.substitutions.append(("%vsla_obj_root", config.vsla_obj_root))
config.substitutions.append(("%mlir_include_dir", config.mlir_include_dir))
config.substitutions.append(("%python", config.python_executable))

llvm_config.with_system_environment(["HOME", "TMP", "TEMP"])
llvm_config.use_default_substitutions()

tool_dirs = [config.vsla_tools_dir, config.llvm_tools_dir]
llvm_config.with_environment("PATH", config.llvm_tools_dir, append_path=True)
llvm_config.add_tool_substitutions(
    ["vsla-opt", "vsla-compile", "vsla-run", "vsla-runtime-unit", "vsla-example-filter", "mlir-tblgen", "FileCheck", "not",
     "count", "split-file"],
    tool_dirs)

# Integration tests run compiled code with mlir-runner, MLIR's runner
# utilities (printMemrefF32, ...) and the VSLA runtime functions compiled
# code calls (BLAS products).
runner_libs = ",".join(
    [os.path.join(config.llvm_lib_dir, name)
     for name in ("libmlir_runner_utils.so", "libmlir_c_runner_utils.so", "libomp.so")]
    + [os.path.join(config.vsla_obj_root, "lib", "libvsla_runner_runtime.so")])
config.substitutions.append(
    ("%run_main",
     os.path.join(config.llvm_tools_dir, "mlir-runner")
     + " -e main -entry-point-result=void -shared-libs=" + runner_libs))
