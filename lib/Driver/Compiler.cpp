//===- Compiler.cpp - vsla modules to executables -------------------------===//

#include "DiagnosticCollector.h"
#include "ElementTypeConversion.h"
#include "EntryPoints.h"

#include "vsla/Driver/Compiler.h"
#include "vsla/Dialect/VslaDialect.h"
#include "vsla/Pipelines/Pipelines.h"
#include "vsla/runtime/AllocationHooks.h"
#include "vsla/runtime/CompiledCall.h"
#include "vsla/runtime/FftConv.h"
#include "vsla/runtime/Gemm.h"
#include "vsla/runtime/Threads.h"
#include "vsla/Transforms/Passes.h"
#include "vsla/runtime/StridedCopy.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/ExecutionEngine/ExecutionEngine.h"
#include "mlir/ExecutionEngine/OptUtils.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/OpenMP/OpenMPToLLVMIRTranslation.h"

#include "llvm/ExecutionEngine/Orc/JITTargetMachineBuilder.h"
#include "llvm/Support/TargetSelect.h"

#include <atomic>
#include <cstdlib>
#include <dlfcn.h>
#include "llvm/Support/raw_ostream.h"

namespace vsla {
namespace detail {
extern std::atomic<bool> processExiting;
} // namespace detail

namespace {

/// The signature of `func`, or an error naming what cannot cross the
/// boundary.
rt::StatusOr<FunctionSignature> getSignature(mlir::func::FuncOp func) {
  FunctionSignature signature;
  signature.name = func.getSymName().str();
  auto describe = [&](mlir::Type type, bool isResult,
                      size_t index) -> rt::StatusOr<ValueSignature> {
    std::string what = (isResult ? "result " : "argument ") +
                       std::to_string(index) + " of @" + signature.name;
    ValueSignature value;
    mlir::Type elementType = type;
    if (auto tensor = mlir::dyn_cast<mlir::RankedTensorType>(type)) {
      value.rank = tensor.getRank();
      elementType = tensor.getElementType();
    } else if (isResult || !(type.isIntOrIndexOrFloat())) {
      std::string text;
      llvm::raw_string_ostream os(text);
      os << type;
      return rt::invalidArgument(
          what + " has type " + text +
          ", which cannot be passed to or from compiled code; use a ranked "
          "tensor (or a scalar argument)");
    } else {
      value.isTensor = false;
    }
    std::optional<rt::ElementType> element = getRuntimeElementType(elementType);
    if (!element || (!value.isTensor && elementType.isInteger(1)))
      return rt::invalidArgument(what + " has an unsupported element type; "
                                 "use f16, bf16, f32, f64, i1, i32 or i64");
    value.elementType = *element;
    return value;
  };
  for (auto [i, type] : llvm::enumerate(func.getArgumentTypes())) {
    auto value = describe(type, false, i);
    if (!value.ok())
      return value.getStatus();
    signature.arguments.push_back(*value);
  }
  for (auto [i, type] : llvm::enumerate(func.getResultTypes())) {
    auto value = describe(type, true, i);
    if (!value.ok())
      return value.getStatus();
    signature.results.push_back(*value);
  }
  return signature;
}

/// The runtime functions compiled code calls: allocation through the
/// buffer pool, strided copies, run-time check failures, the thread count,
/// BLAS products and FFT convolutions.
llvm::orc::SymbolMap runtimeSymbols(llvm::orc::MangleAndInterner interner) {
  llvm::orc::SymbolMap symbols;
  const std::pair<llvm::StringRef, void *> functions[] = {
      {"_mlir_memref_to_llvm_alloc",
       reinterpret_cast<void *>(&_mlir_memref_to_llvm_alloc)},
      {"_mlir_memref_to_llvm_aligned_alloc",
       reinterpret_cast<void *>(&_mlir_memref_to_llvm_aligned_alloc)},
      {"_mlir_memref_to_llvm_free",
       reinterpret_cast<void *>(&_mlir_memref_to_llvm_free)},
      {"memrefCopy", reinterpret_cast<void *>(&memrefCopy)},
      {mlir::vsla::kCheckFailedFunction,
       reinterpret_cast<void *>(&__vsla_check_failed)},
      {mlir::vsla::kNumThreadsFunction,
       reinterpret_cast<void *>(&__vsla_num_threads)},
      {mlir::vsla::kMapItemFunction,
       reinterpret_cast<void *>(&__vsla_map_item)},
      {"_mlir_ciface___vsla_fft_conv_f32",
       reinterpret_cast<void *>(&_mlir_ciface___vsla_fft_conv_f32)},
      {"_mlir_ciface___vsla_fft_conv_f64",
       reinterpret_cast<void *>(&_mlir_ciface___vsla_fft_conv_f64)},
      {"_mlir_ciface___vsla_gemm_f32",
       reinterpret_cast<void *>(&_mlir_ciface___vsla_gemm_f32)},
      {"_mlir_ciface___vsla_gemm_f64",
       reinterpret_cast<void *>(&_mlir_ciface___vsla_gemm_f64)},
      {"_mlir_ciface___vsla_batch_gemm_f32",
       reinterpret_cast<void *>(&_mlir_ciface___vsla_batch_gemm_f32)},
      {"_mlir_ciface___vsla_batch_gemm_f64",
       reinterpret_cast<void *>(&_mlir_ciface___vsla_batch_gemm_f64)},
  };
  for (auto [name, address] : functions)
    symbols[interner(name)] = {llvm::orc::ExecutorAddr::fromPtr(address),
                               llvm::JITSymbolFlags::Exported};
  return symbols;
}

/// LLVM's OpenMP runtime, whose __kmpc_* entry points the parallel loops of
/// compiled code call; its symbols become visible to the JIT's linker.
void loadOpenMpRuntime() {
  // Idle workers sleep after 1 ms instead of spinning for 200: between
  // parallel loops the cores go to BLAS threads and the caller.
  if (!std::getenv("KMP_BLOCKTIME"))
    setenv("KMP_BLOCKTIME", "1", /*overwrite=*/0);
  if (!dlopen(VSLA_OPENMP_LIBRARY, RTLD_NOW | RTLD_GLOBAL))
    (void)dlopen("libomp.so.5", RTLD_NOW | RTLD_GLOBAL);
}

} // namespace

Compiler::Compiler() {
  static std::once_flag nativeTarget;
  std::call_once(nativeTarget, [] {
    llvm::InitializeNativeTarget();
    llvm::InitializeNativeTargetAsmPrinter();
    loadOpenMpRuntime();
  });
  mlir::DialectRegistry registry;
  mlir::registerAllDialects(registry);
  mlir::registerAllExtensions(registry);
  registry.insert<mlir::vsla::VslaDialect>();
  mlir::registerBuiltinDialectTranslation(registry);
  mlir::registerLLVMDialectTranslation(registry);
  mlir::registerOpenMPDialectTranslation(registry);
  context.appendDialectRegistry(registry);
  context.loadAllAvailableDialects();
}

Compiler::~Compiler() = default;

size_t Compiler::getCacheSize() const {
  std::lock_guard<std::mutex> lock(mutex);
  return cache.size();
}

rt::StatusOr<std::shared_ptr<Executable>>
Compiler::compileSource(llvm::StringRef source, const CompileOptions &options) {
  mlir::OwningOpRef<mlir::ModuleOp> module;
  std::string errors;
  {
    std::lock_guard<std::mutex> compiling(compileMutex);
    DiagnosticCollector diagnostics(context);
    module = mlir::parseSourceString<mlir::ModuleOp>(source, &context);
    errors = diagnostics.getText();
  }
  if (!module)
    return rt::invalidArgument("cannot parse the module:\n" + errors);
  return compile(*module, options);
}


rt::StatusOr<std::shared_ptr<Executable>>
Compiler::compile(mlir::ModuleOp module, const CompileOptions &options) {
  // The cache key: the module's text and the options that change the code.
  std::string key;
  {
    llvm::raw_string_ostream os(key);
    module->print(os, mlir::OpPrintingFlags().printGenericOpForm());
    os << "\n// opt=" << options.optLevel;
  }
  {
    std::lock_guard<std::mutex> lock(mutex);
    auto cached = cache.find(key);
    if (cached != cache.end())
      return cached->second;
  }

  std::lock_guard<std::mutex> compiling(compileMutex);
  {
    // Another thread may have compiled it while this one waited.
    std::lock_guard<std::mutex> lock(mutex);
    auto cached = cache.find(key);
    if (cached != cache.end())
      return cached->second;
  }
  DiagnosticCollector diagnostics(context);
  mlir::OwningOpRef<mlir::ModuleOp> lowered(
      mlir::cast<mlir::ModuleOp>(module->clone()));
  auto executable = std::shared_ptr<Executable>(new Executable());
  for (auto func : lowered->getOps<mlir::func::FuncOp>()) {
    if (func.isPrivate() || func.isExternal())
      continue;
    auto signature = getSignature(func);
    if (!signature.ok())
      return signature.getStatus();
    executable->functions.push_back(std::move(*signature));
    func->setAttr("llvm.emit_c_interface",
                  mlir::UnitAttr::get(&context));
  }
  // Every fact about dynamic extents the code relies on becomes a run-time
  // check, numbered so that a failure names it.
  {
    mlir::PassManager checks(&context);
    checks.addNestedPass<mlir::func::FuncOp>(
        mlir::vsla::createVslaMaterializeShapeChecks());
    if (mlir::failed(checks.run(*lowered)))
      return rt::internalError("cannot add the run-time shape checks:\n" +
                               diagnostics.getText());
  }
  numberRunTimeChecks(*lowered, executable->checkMessages);
  for (FunctionSignature &function : executable->functions) {
    auto func = lowered->lookupSymbol<mlir::func::FuncOp>(function.name);
    if (!shapePipeline)
      shapePipeline = createShapeFunctionPipeline(context);
    mlir::FailureOr<bool> added =
        addDestinationPassingEntryPoints(*lowered, func, *shapePipeline);
    if (mlir::failed(added))
      return rt::invalidArgument("cannot derive the shape function of @" +
                                 function.name + ":\n" +
                                 diagnostics.getText());
    function.destinationPassing = *added;
    // Its callers use the destination-passing entry points: the original
    // need not be compiled unless another function calls it.
    if (*added && mlir::SymbolTable::symbolKnownUseEmpty(func, *lowered))
      func.erase();
  }
  // Maps over ragged batches become loops (their results depend on the
  // batches' data, so their functions return buffers); the layout checks
  // that adds are numbered after the others.
  {
    mlir::PassManager maps(&context);
    maps.addPass(mlir::vsla::createVslaLowerMap());
    if (mlir::failed(maps.run(*lowered)))
      return rt::internalError("cannot lower vsla.map:\n" +
                               diagnostics.getText());
  }
  numberRunTimeChecks(*lowered, executable->checkMessages);
  if (executable->functions.empty())
    return rt::invalidArgument(
        "the module has no public function to compile; define at least one "
        "func.func that is not private");

  auto buildPipeline = [&](const std::string &dumpPhasesTo) {
    auto pm = std::make_unique<mlir::PassManager>(&context);
    mlir::vsla::VslaToCpuOptions pipelineOptions;
    pipelineOptions.useGenericAllocation = true;
    pipelineOptions.dumpPhasesTo = dumpPhasesTo;
    mlir::vsla::buildVslaToCpuPipeline(*pm, pipelineOptions);
    return pm;
  };
  std::unique_ptr<mlir::PassManager> dumping;
  if (!options.dumpPhasesTo.empty())
    dumping = buildPipeline(options.dumpPhasesTo);
  else if (!pipeline)
    pipeline = buildPipeline("");
  mlir::PassManager &pm = dumping ? *dumping : *pipeline;
  if (mlir::failed(pm.run(*lowered)))
    return rt::invalidArgument("compilation failed:\n" + diagnostics.getText());

  // Optimize for this machine: its CPU and features (AVX2, AVX-512, ...)
  // are what the loop vectorizer targets.
  auto machineBuilder = llvm::orc::JITTargetMachineBuilder::detectHost();
  if (!machineBuilder)
    return rt::internalError("cannot describe the host CPU: " +
                             llvm::toString(machineBuilder.takeError()));
  machineBuilder->setCodeGenOptLevel(
      static_cast<llvm::CodeGenOptLevel>(std::min(options.optLevel, 3u)));
  auto machine = machineBuilder->createTargetMachine();
  if (!machine)
    return rt::internalError("cannot create a target machine for the host: " +
                             llvm::toString(machine.takeError()));
  mlir::ExecutionEngineOptions engineOptions;
  auto transformer = mlir::makeOptimizingTransformer(
      options.optLevel, /*sizeLevel=*/0, machine->get());
  engineOptions.transformer = transformer;
  engineOptions.jitCodeGenOptLevel =
      static_cast<llvm::CodeGenOptLevel>(std::min(options.optLevel, 3u));
  engineOptions.enableObjectDump = true;
  auto engine = mlir::ExecutionEngine::create(*lowered, engineOptions,
                                              std::move(*machine));
  if (!engine) {
    std::string message = llvm::toString(engine.takeError());
    return rt::internalError("cannot JIT-compile the module: " + message +
                             "\n" + diagnostics.getText());
  }
  executable->engine = std::move(*engine);
  executable->engine->registerSymbols(runtimeSymbols);
  executable->engine->initialize();
  auto lookup = [&](const std::string &name)
      -> rt::StatusOr<Executable::PackedFunction> {
    auto entry = executable->engine->lookupPacked("_mlir_ciface_" + name);
    if (!entry)
      return rt::internalError("compiled code has no entry point @" + name +
                               ": " + llvm::toString(entry.takeError()));
    return *entry;
  };
  for (const FunctionSignature &function : executable->functions) {
    Executable::PackedFunction returning = nullptr;
    if (!function.destinationPassing) {
      auto entry = lookup(function.name);
      if (!entry.ok())
        return entry.getStatus();
      returning = *entry;
    }
    executable->entryPoints.push_back(returning);
    Executable::PackedFunction shapes = nullptr, destination = nullptr;
    if (function.destinationPassing) {
      auto shapeEntry = lookup(getShapesEntryName(function.name));
      auto destinationEntry = lookup(getDestinationEntryName(function.name));
      if (!shapeEntry.ok())
        return shapeEntry.getStatus();
      if (!destinationEntry.ok())
        return destinationEntry.getStatus();
      shapes = *shapeEntry;
      destination = *destinationEntry;
    }
    Executable::PackedFunction equalShapes = nullptr;
    if (function.destinationPassing) {
      // Compiled only when some ambient op could see different shapes.
      auto entry = executable->engine->lookupPacked(
          "_mlir_ciface_" + getEqualShapesEntryName(function.name));
      if (entry)
        equalShapes = *entry;
      else
        llvm::consumeError(entry.takeError());
    }
    executable->shapeEntryPoints.push_back(shapes);
    executable->destinationEntryPoints.push_back(destination);
    executable->equalShapesEntryPoints.push_back(equalShapes);
  }
  // Registered after LLVM's code generator has built its function-local
  // statics, so this runs before they are destroyed (see ~Executable).
  static std::once_flag exitHook;
  std::call_once(exitHook, [] {
    std::atexit([] { detail::processExiting.store(true); });
  });

  std::lock_guard<std::mutex> lock(mutex);
  auto [slot, inserted] = cache.emplace(std::move(key), executable);
  return slot->second;
}

} // namespace vsla
