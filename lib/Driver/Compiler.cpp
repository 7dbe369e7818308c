//===- Compiler.cpp - vsla modules to executables -------------------------===//

#include "DiagnosticCollector.h"
#include "ElementTypeConversion.h"

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
#include "mlir/Target/LLVMIR/Dialect/All.h"
#include "mlir/Target/LLVM/NVVM/Target.h"
#include "vsla/runtime/Cuda.h"

#include "llvm/ExecutionEngine/Orc/JITTargetMachineBuilder.h"
#include "llvm/Support/TargetSelect.h"

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <dlfcn.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>
#include "llvm/ADT/SmallString.h"
#include "llvm/Config/llvm-config.h"
#include "llvm/MC/MCSubtargetInfo.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/xxhash.h"
#include "llvm/TargetParser/Host.h"
#include "llvm/TargetParser/SubtargetFeature.h"
#include "vsla/runtime/ObjectLoader.h"
#include "llvm/Support/raw_ostream.h"

namespace vsla {
namespace detail {
extern std::atomic<bool> processExiting;
} // namespace detail

namespace {

/// The signature of `func`, or an error naming what cannot cross the
/// boundary.
rt::StatusOr<FunctionSignature> getSignature(llvm::StringRef name,
                                             mlir::FunctionType type) {
  FunctionSignature signature;
  signature.name = name.str();
  auto describe = [&](mlir::Type type, bool isResult,
                      size_t index) -> rt::StatusOr<ValueSignature> {
    std::string what = (isResult ? "result " : "argument ") +
                       std::to_string(index) + " of @" + signature.name;
    ValueSignature value;
    mlir::Type elementType = type;
    if (auto tensor = mlir::dyn_cast<mlir::RankedTensorType>(type)) {
      value.rank = tensor.getRank();
      elementType = tensor.getElementType();
      if (tensor.hasStaticShape() || llvm::any_of(tensor.getShape(), [](int64_t d) {
            return !mlir::ShapedType::isDynamic(d);
          }))
        for (int64_t dim : tensor.getShape())
          value.dims.push_back(mlir::ShapedType::isDynamic(dim)
                                   ? rt::kDynamicExtent
                                   : dim);
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
  for (auto [i, type] : llvm::enumerate(type.getInputs())) {
    auto value = describe(type, false, i);
    if (!value.ok())
      return value.getStatus();
    signature.arguments.push_back(*value);
  }
  for (auto [i, type] : llvm::enumerate(type.getResults())) {
    auto value = describe(type, true, i);
    if (!value.ok())
      return value.getStatus();
    signature.results.push_back(*value);
  }
  return signature;
}

/// The runtime functions compiled code calls, for the JIT's linker.
llvm::orc::SymbolMap runtimeSymbols(llvm::orc::MangleAndInterner interner) {
  llvm::orc::SymbolMap symbols;
  for (const auto &[name, address] : rt::getRuntimeSymbols())
    symbols[interner(name)] = {llvm::orc::ExecutorAddr::fromPtr(address),
                               llvm::JITSymbolFlags::Exported};
  return symbols;
}

/// The symbols of one function's entry points (empty when it has none).
struct EntrySymbols {
  std::string call, shapes, destination, equalShapes;
};

/// The packed entry point's symbol in the object code (ExecutionEngine
/// wraps each C interface function `_mlir_ciface_<f>` as `_mlir_` + that).
std::string getPackedSymbol(llvm::StringRef function) {
  return "_mlir__mlir_ciface_" + function.str();
}

/// What produced the code: the versions, and the identity (size and time)
/// of the binary holding this compiler, so any rebuild invalidates the
/// persistent cache.
const std::string &getProducer() {
  static const std::string producer = [] {
    std::string text = "vsla " VSLA_VERSION ", LLVM " LLVM_VERSION_STRING;
    Dl_info info;
    struct stat status;
    if (dladdr(reinterpret_cast<void *>(&getProducer), &info) &&
        info.dli_fname && stat(info.dli_fname, &status) == 0)
      text += ", build " + std::to_string(status.st_size) + "-" +
              std::to_string(status.st_mtim.tv_sec) + "." +
              std::to_string(status.st_mtim.tv_nsec);
    return text;
  }();
  return producer;
}

/// The persistent compile cache's folder, or nothing when it is off.
std::optional<std::string> getDiskCacheDirectory() {
  if (const char *dir = std::getenv("VSLA_CACHE_DIR"))
    return *dir ? std::optional<std::string>(dir) : std::nullopt;
  if (const char *xdg = std::getenv("XDG_CACHE_HOME"); xdg && *xdg)
    return std::string(xdg) + "/vsla";
  if (const char *home = std::getenv("HOME"); home && *home)
    return std::string(home) + "/.cache/vsla";
  return std::nullopt;
}


/// The triple, CPU and CPU features code for `cpu` is compiled for ("host":
/// this machine's CPU and every feature it has).
rt::Status describeTarget(const std::string &cpu, rt::ArtifactTarget &target) {
  if (cpu == "host" || cpu.empty()) {
    // Asked on every compile: the host does not change, so once.
    static const rt::ArtifactTarget host = [] {
      rt::ArtifactTarget t;
      t.triple = llvm::sys::getProcessTriple();
      t.cpu = llvm::sys::getHostCPUName().str();
      llvm::SubtargetFeatures features;
      for (const auto &feature : llvm::sys::getHostCPUFeatures())
        features.AddFeature(feature.getKey(), feature.getValue());
      t.features = features.getString();
      return t;
    }();
    target = host;
    return rt::okStatus();
  }
  target.triple = llvm::sys::getProcessTriple();
  std::string error;
  const llvm::Target *llvmTarget =
      llvm::TargetRegistry::lookupTarget(llvm::Triple(target.triple), error);
  if (!llvmTarget)
    return rt::internalError("no code generator for " + target.triple + ": " +
                             error);
  std::unique_ptr<llvm::MCSubtargetInfo> info(
      llvmTarget->createMCSubtargetInfo(llvm::Triple(target.triple), cpu, ""));
  if (!info || !info->isCPUStringValid(cpu))
    return rt::invalidArgument("unknown CPU " + cpu +
                               "; use host, x86-64, x86-64-v2, x86-64-v3, "
                               "x86-64-v4 or an LLVM CPU name (skylake, ...)");
  target.cpu = cpu;
  // The CPU's own features, spelled out so the loader can check them.
  llvm::SubtargetFeatures features;
  for (const llvm::SubtargetFeatureKV &feature : info->getAllProcessorFeatures())
    if (info->checkFeatures("+" + std::string(feature.Key)))
      features.AddFeature(feature.Key, true);
  target.features = features.getString();
  return rt::okStatus();
}



/// The export table's metadata, as vsla-synthesize-entry-points and
/// vsla-number-run-time-checks left it on the module.
rt::Status readExportTable(mlir::ModuleOp module, Executable &executable,
                           std::vector<EntrySymbols> &symbols) {
  auto exports =
      module->getAttrOfType<mlir::ArrayAttr>(mlir::vsla::kExportsAttrName);
  auto messages =
      module->getAttrOfType<mlir::ArrayAttr>(mlir::vsla::kCheckMessagesAttrName);
  if (!exports || !messages)
    return rt::internalError("the module has no export table");
  for (mlir::Attribute message : messages)
    executable.addCheckMessage(
        mlir::cast<mlir::StringAttr>(message).getValue().str());
  auto text = [](mlir::DictionaryAttr entry, llvm::StringRef key) {
    auto value = entry.getAs<mlir::StringAttr>(key);
    return value ? value.getValue().str() : std::string();
  };
  for (mlir::Attribute attr : exports) {
    auto entry = mlir::cast<mlir::DictionaryAttr>(attr);
    auto type = entry.getAs<mlir::TypeAttr>("function_type");
    auto signature = getSignature(
        text(entry, "name"), mlir::cast<mlir::FunctionType>(type.getValue()));
    if (!signature.ok())
      return signature.getStatus();
    signature->destinationPassing =
        entry.getAs<mlir::BoolAttr>("destination_passing").getValue();
    for (auto [key, pairs] :
         {std::pair{"ragged_arguments", &signature->raggedArguments},
          {"ragged_results", &signature->raggedResults}})
      if (auto flat = entry.getAs<mlir::DenseI64ArrayAttr>(key))
        for (int64_t i = 0; i + 1 < flat.size(); i += 2)
          pairs->push_back({flat[i], flat[i + 1]});
    executable.addFunction(std::move(*signature));
    symbols.push_back({text(entry, "call"), text(entry, "shapes"),
                       text(entry, "destination"),
                       text(entry, "equal_shapes")});
  }
  return rt::okStatus();
}

/// Keeps the persistent cache under $VSLA_CACHE_MAX_BYTES (default 2 GiB):
/// removes the least recently used entries (by modification time, which a
/// hit renews) until the folder holds at most that, never `keep`, which was
/// just written (`written` bytes). The folder is listed on the first store
/// of the process and then only when this process's own stores may have
/// taken it over the limit, so storing stays cheap in a large cache.
void trimDiskCache(const std::string &dir, const std::string &keep,
                   uint64_t written) {
  uint64_t limit = uint64_t(2) << 30;
  if (const char *text = std::getenv("VSLA_CACHE_MAX_BYTES"); text && *text)
    limit = std::strtoull(text, nullptr, 10);
  // The folder's size as last listed plus what was stored since; the
  // caller holds the compile lock.
  static uint64_t estimate = UINT64_MAX;
  if (estimate != UINT64_MAX) {
    estimate += written;
    if (estimate <= limit)
      return;
  }
  struct Entry {
    std::string path;
    uint64_t size;
    llvm::sys::TimePoint<> used;
  };
  std::vector<Entry> entries;
  uint64_t total = 0;
  std::error_code error;
  for (llvm::sys::fs::directory_iterator it(dir, error), end;
       !error && it != end; it.increment(error)) {
    if (llvm::sys::path::extension(it->path()) != ".vsla")
      continue;
    llvm::sys::fs::file_status status;
    if (llvm::sys::fs::status(it->path(), status))
      continue;
    entries.push_back({it->path(), status.getSize(),
                       status.getLastModificationTime()});
    total += status.getSize();
  }
  estimate = total;
  if (total <= limit)
    return;
  std::sort(entries.begin(), entries.end(),
            [](const Entry &a, const Entry &b) { return a.used < b.used; });
  for (const Entry &entry : entries) {
    if (total <= limit)
      break;
    if (entry.path == keep)
      continue;
    // Another process may have removed or replaced it meanwhile.
    if (!llvm::sys::fs::remove(entry.path))
      total -= entry.size;
  }
  estimate = total;
}
} // namespace

std::shared_ptr<Executable>
Compiler::loadFromDiskCache(const std::string &path, const std::string &key) {
  auto bytes = rt::readFile(path);
  if (!bytes.ok())
    return nullptr;
  // A truncated, corrupted, stale or foreign entry is a miss: it is
  // compiled again and overwritten.
  auto contents = rt::parseArtifact(bytes->data(), bytes->size());
  if (!contents.ok() || contents->cacheKey != key)
    return nullptr;
  // Used now: the last entry trimDiskCache would remove.
  (void)utimes(path.c_str(), nullptr);
  rt::ArtifactContents kept = *contents;
  kept.cacheKey.clear();
  auto module = rt::loadArtifact(std::move(*contents));
  if (!module.ok())
    return nullptr;
  auto executable = std::shared_ptr<Executable>(new Executable());
  executable->setDeviceUnavailable((*module)->getDeviceUnavailable());
  executable->functions = (*module)->getFunctions();
  executable->checkMessages = (*module)->getCheckMessages();
  executable->cached = std::move(*module);
  executable->artifact = std::move(kept);
  executable->fromCache = true;
  return executable;
}


Compiler::Compiler() {
  static std::once_flag nativeTarget;
  std::call_once(nativeTarget, [] {
    llvm::InitializeNativeTarget();
    llvm::InitializeNativeTargetAsmPrinter();
    rt::loadOpenMpRuntime();
  });
  mlir::DialectRegistry registry;
  mlir::registerAllDialects(registry);
  mlir::registerAllExtensions(registry);
  registry.insert<mlir::vsla::VslaDialect>();
  mlir::registerBuiltinDialectTranslation(registry);
  mlir::registerLLVMDialectTranslation(registry);
  mlir::registerOpenMPDialectTranslation(registry);
  // The cuda target: gpu.binary (embedded with its offloading handler) and
  // launches in host code, NVVM kernels.
  mlir::registerAllToLLVMIRTranslations(registry);
  mlir::NVVM::registerNVVMTargetInterfaceExternalModels(registry);
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
    os << "\n// opt=" << options.optLevel << " cpu=" << options.cpu
       << " target=" << options.target;
    if (options.target == "cuda")
      os << " chip=" << options.gpuChip << " features=" << options.gpuFeatures;
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
  // The persistent cache: a file named by the hash of the key, holding the
  // whole key (a hash collision is a miss, not a wrong module).
  std::string cachePath;
  std::string diskKey;
  rt::ArtifactTarget target;
  if (auto status = describeTarget(options.cpu, target); !status.ok())
    return status;
  if (auto dir = getDiskCacheDirectory();
      dir && options.useDiskCache && options.dumpPhasesTo.empty()) {
    diskKey = key + "\n// " + getProducer() + " " + target.triple + " " +
              target.cpu + " " + target.features;
    llvm::SmallString<128> path(*dir);
    llvm::sys::path::append(path, llvm::formatv("{0:x-16}.vsla",
                                                llvm::xxh3_64bits(diskKey))
                                      .str());
    cachePath = path.str().str();
    if (auto executable = loadFromDiskCache(cachePath, diskKey)) {
      std::lock_guard<std::mutex> lock(mutex);
      auto [slot, inserted] = cache.emplace(std::move(key), executable);
      return slot->second;
    }
  }

  DiagnosticCollector diagnostics(context);
  mlir::OwningOpRef<mlir::ModuleOp> lowered(
      mlir::cast<mlir::ModuleOp>(module->clone()));
  auto executable = std::shared_ptr<Executable>(new Executable());
  // Types that cannot cross the boundary are named before any work.
  bool anyPublic = false;
  for (auto func : lowered->getOps<mlir::func::FuncOp>()) {
    if (func.isPrivate() || func.isExternal())
      continue;
    anyPublic = true;
    auto signature = getSignature(func.getSymName(), func.getFunctionType());
    if (!signature.ok())
      return signature.getStatus();
    func->setAttr("llvm.emit_c_interface", mlir::UnitAttr::get(&context));
  }
  if (!anyPublic)
    return rt::invalidArgument(
        "the module has no public function to compile; define at least one "
        "func.func that is not private");
  // Every fact about dynamic extents the code relies on becomes a run-time
  // check, numbered so that a failure names it; the entry points the
  // runtime calls, described by the module's vsla.exports; maps over ragged
  // batches become loops, whose layout checks are numbered after the others.
  if (options.target != "cpu" && options.target != "cuda" &&
      options.target != "gpu-on-host")
    return rt::invalidArgument("unknown target " + options.target +
                               "; use cpu or cuda");
  const bool cuda = options.target == "cuda";
  // The GPU pipeline's kernels run as host loops: a test aid without a GPU.
  const bool gpuOnHost = options.target == "gpu-on-host";
  // On the GPU a map's items are thread blocks.
  std::unique_ptr<mlir::PassManager> &entryPointPipeline =
      cuda || gpuOnHost ? gpuEntryPointPipeline : cpuEntryPointPipeline;
  if (!entryPointPipeline) {
    entryPointPipeline = std::make_unique<mlir::PassManager>(&context);
    entryPointPipeline->addNestedPass<mlir::func::FuncOp>(
        mlir::vsla::createVslaMaterializeShapeChecks());
    entryPointPipeline->addPass(mlir::vsla::createVslaNumberRunTimeChecks());
    entryPointPipeline->addPass(mlir::vsla::createVslaSynthesizeEntryPoints());
    mlir::vsla::VslaLowerMapOptions lowerMap;
    lowerMap.gpuBlocks = cuda || gpuOnHost;
    entryPointPipeline->addPass(mlir::vsla::createVslaLowerMap(lowerMap));
    entryPointPipeline->addPass(mlir::vsla::createVslaNumberRunTimeChecks());
  }
  if (mlir::failed(entryPointPipeline->run(*lowered)))
    return rt::invalidArgument("cannot build the entry points:\n" +
                               diagnostics.getText());
  std::vector<EntrySymbols> symbols;
  if (rt::Status status = readExportTable(*lowered, *executable, symbols);
      !status.ok())
    return status;

  if (cuda) {
    for (FunctionSignature &function : executable->functions)
      function.device = "cuda";
    mlir::PassManager gpu(&context);
    mlir::vsla::VslaToGpuOptions gpuOptions;
    gpuOptions.chip = options.gpuChip;
    gpuOptions.features = options.gpuFeatures;
    gpuOptions.dumpPhasesTo = options.dumpPhasesTo;
    mlir::vsla::buildVslaToGpuPipeline(gpu, gpuOptions);
    if (mlir::failed(gpu.run(*lowered)))
      return rt::invalidArgument("compilation for the cuda target failed:\n" +
                                 diagnostics.getText());
  }
  if (gpuOnHost) {
    mlir::PassManager gpu(&context);
    mlir::vsla::VslaToGpuOptions gpuOptions;
    gpuOptions.emulateOnHost = true;
    gpuOptions.dumpPhasesTo = options.dumpPhasesTo;
    mlir::vsla::buildVslaToGpuPipeline(gpu, gpuOptions);
    if (mlir::failed(gpu.run(*lowered)))
      return rt::invalidArgument(
          "compilation for the gpu-on-host target failed:\n" +
          diagnostics.getText());
  }
  auto buildPipeline = [&](const std::string &dumpPhasesTo) {
    auto pm = std::make_unique<mlir::PassManager>(&context);
    mlir::vsla::VslaToCpuOptions pipelineOptions;
    pipelineOptions.useGenericAllocation = true;
    pipelineOptions.dumpPhasesTo = dumpPhasesTo;
    mlir::vsla::buildVslaToCpuPipeline(*pm, pipelineOptions);
    return pm;
  };
  std::unique_ptr<mlir::PassManager> dumping;
  if (!cuda && !gpuOnHost) {
    if (!options.dumpPhasesTo.empty())
      dumping = buildPipeline(options.dumpPhasesTo);
    else if (!pipeline)
      pipeline = buildPipeline("");
    mlir::PassManager &pm = dumping ? *dumping : *pipeline;
    if (mlir::failed(pm.run(*lowered)))
      return rt::invalidArgument("compilation failed:\n" +
                                 diagnostics.getText());
  }

  // Optimize for the target CPU: its features (AVX2, AVX-512, ...) are
  // what the loop vectorizer targets. The JIT's code model (large, on
  // x86-64) stays: its linker places code and data sections apart, beyond
  // the reach of 32-bit offsets; the runtime's object loader relocates the
  // 64-bit absolute addresses that model uses.
  llvm::orc::JITTargetMachineBuilder builder{llvm::Triple(target.triple)};
  auto *machineBuilder = &builder;
  builder.setCPU(target.cpu);
  {
    llvm::SubtargetFeatures features(target.features);
    builder.addFeatures(features.getFeatures());
  }
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
  // Initializers load CUDA kernels onto a device: for code compiled for
  // cuda, on its first call (prepareDevice), so that code only written out
  // never loads them.
  if (!cuda) {
    executable->engine->initialize();
    executable->initialized = true;
  }
  auto lookup = [&](const std::string &name)
      -> rt::StatusOr<rt::PackedEntryPoint> {
    auto entry = executable->engine->lookupPacked("_mlir_ciface_" + name);
    if (!entry)
      return rt::internalError("compiled code has no entry point @" + name +
                               ": " + llvm::toString(entry.takeError()));
    return *entry;
  };
  rt::ArtifactContents &artifact = executable->artifact;
  for (auto [function, names] : llvm::zip_equal(executable->functions, symbols)) {
    rt::ArtifactFunction entry{function, "", "", "", ""};
    auto find = [&](const std::string &name, rt::PackedEntryPoint &address,
                    std::string &symbol) -> rt::Status {
      if (name.empty())
        return rt::okStatus();
      auto found = lookup(name);
      if (!found.ok())
        return found.getStatus();
      address = *found;
      symbol = getPackedSymbol(name);
      return rt::okStatus();
    };
    for (rt::Status status :
         {find(names.call, function.call, entry.callSymbol),
          find(names.shapes, function.shapes, entry.shapesSymbol),
          find(names.destination, function.destination, entry.destinationSymbol),
          find(names.equalShapes, function.equalShapes,
               entry.equalShapesSymbol)})
      if (!status.ok())
        return status;
    entry.signature = function;
    entry.signature.call = entry.signature.shapes = nullptr;
    entry.signature.destination = entry.signature.equalShapes = nullptr;
    artifact.functions.push_back(std::move(entry));
  }
  artifact.target = target;
  artifact.producer = getProducer();
  artifact.checkMessages = executable->checkMessages;
  if (!cachePath.empty()) {
    // A cache that cannot be written (a read-only home, a full disk) only
    // costs the next process a compile. The object code is read from the
    // engine for the entry only: the executable does not keep a copy.
    rt::StatusOr<rt::ArtifactContents> entry = executable->getArtifact();
    if (!entry.ok())
      return entry.getStatus();
    entry->cacheKey = diskKey;
    (void)llvm::sys::fs::create_directories(
        llvm::sys::path::parent_path(cachePath));
    std::string bytes = rt::serializeArtifact(*entry);
    if (rt::writeFileAtomically(cachePath, bytes).ok())
      trimDiskCache(llvm::sys::path::parent_path(cachePath).str(), cachePath,
                    bytes.size());
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

static_assert(vsla::rt::ShapeFunctionLayout::kFailedCheck ==
                      mlir::vsla::ShapeFunctionSlots::kFailedCheck &&
                  vsla::rt::ShapeFunctionLayout::kEqualShapes ==
                      mlir::vsla::ShapeFunctionSlots::kEqualShapes &&
                  vsla::rt::ShapeFunctionLayout::kSlots ==
                      mlir::vsla::ShapeFunctionSlots::kCount,
              "the runtime and the compiler agree on the shape function");
