//===- FunctionBuilder.cpp - build a vsla function op by op ---------------===//

#include "vsla/Driver/FunctionBuilder.h"

#include "DiagnosticCollector.h"
#include "ElementTypeConversion.h"

#include "vsla/Dialect/VslaDialect.h"
#include "vsla/Dialect/VslaOps.h"
#include "vsla/Transforms/Autodiff.h"

#include "mlir/AsmParser/AsmParser.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"

#include <memory>

namespace vsla {

namespace {

/// The message for a failure while building: the diagnostics if any, else
/// `fallback`.
rt::Status buildError(const DiagnosticCollector &diagnostics,
                      std::string fallback) {
  std::string text = diagnostics.getText();
  while (!text.empty() && text.back() == '\n')
    text.pop_back();
  return rt::invalidArgument(text.empty() ? std::move(fallback) : text);
}

/// The inferred result types of an op about to be created, computed the way
/// the generated builders do: inherent attributes go into properties first.
llvm::LogicalResult inferResultTypes(mlir::OperationState &state,
                                     mlir::RegisteredOperationName info,
                                     mlir::DictionaryAttr attributes,
                                     llvm::SmallVectorImpl<mlir::Type> &types) {
  auto *inference = info.getInterface<mlir::InferTypeOpInterface>();
  if (!inference)
    return mlir::emitError(state.location)
           << "'" << info.getStringRef()
           << "' does not infer its result types; it cannot be built by name";
  int propertyBytes = info.getOpPropertyByteSize();
  std::unique_ptr<char[]> storage;
  mlir::OpaqueProperties properties(nullptr);
  if (propertyBytes > 0) {
    // Max-aligned storage, as the op's own allocation would be.
    storage.reset(new char[propertyBytes + alignof(std::max_align_t)]);
    void *aligned = storage.get();
    size_t space = propertyBytes + alignof(std::max_align_t);
    aligned = std::align(alignof(std::max_align_t), propertyBytes, aligned,
                         space);
    properties = mlir::OpaqueProperties(aligned);
    info.initOpProperties(properties, mlir::OpaqueProperties(nullptr));
    auto emitError = [&] { return mlir::emitError(state.location); };
    if (failed(info.setOpPropertiesFromAttribute(state.name, properties,
                                                 attributes, emitError))) {
      info.destroyOpProperties(properties);
      return mlir::failure();
    }
  }
  llvm::LogicalResult result = inference->inferReturnTypes(
      state.getContext(), state.location, state.operands, attributes,
      properties, state.regions, types);
  if (propertyBytes > 0)
    info.destroyOpProperties(properties);
  return result;
}

} // namespace

FunctionBuilder::FunctionBuilder(Compiler &compiler, llvm::StringRef name)
    : compiler(compiler), builder(&compiler.getContext()) {
  mlir::MLIRContext &context = compiler.getContext();
  std::lock_guard<std::mutex> lock(compiler.compileMutex);
  mlir::Location loc = mlir::UnknownLoc::get(&context);
  module = mlir::ModuleOp::create(loc);
  builder.setInsertionPointToEnd(module->getBody());
  function = mlir::func::FuncOp::create(builder, loc, name,
                                        builder.getFunctionType({}, {}));
  builder.setInsertionPointToEnd(function.addEntryBlock());
}

FunctionBuilder::~FunctionBuilder() {
  std::lock_guard<std::mutex> lock(compiler.compileMutex);
  module = nullptr;
}

rt::StatusOr<mlir::Type> FunctionBuilder::getMlirType(const TypeSpec &type) {
  if (type.isIndex)
    return mlir::Type(builder.getIndexType());
  mlir::Type element =
      getMlirElementType(type.elementType, &compiler.getContext());
  if (!element)
    return rt::invalidArgument("unknown element type");
  if (!type.isTensor)
    return element;
  llvm::SmallVector<int64_t> shape;
  for (int64_t dim : type.shape) {
    if (dim < TypeSpec::kDynamic)
      return rt::invalidArgument("dim " + std::to_string(dim) +
                                 " is negative; dims are >= 0 or dynamic");
    shape.push_back(dim == TypeSpec::kDynamic ? mlir::ShapedType::kDynamic
                                              : dim);
  }
  return mlir::Type(mlir::RankedTensorType::get(shape, element));
}

mlir::Location FunctionBuilder::getLocation(const SourceLocation &location) {
  if (location.file.empty())
    return builder.getUnknownLoc();
  return mlir::FileLineColLoc::get(&compiler.getContext(), location.file,
                                   location.line, location.column);
}

rt::StatusOr<mlir::Value> FunctionBuilder::lookupValue(ValueId value) const {
  if (value < 0 || value >= static_cast<ValueId>(values.size()))
    return rt::invalidArgument("value %" + std::to_string(value) +
                               " does not exist in this function");
  return values[value];
}

rt::StatusOr<llvm::SmallVector<mlir::Value>>
FunctionBuilder::lookupValues(llvm::ArrayRef<ValueId> ids) const {
  llvm::SmallVector<mlir::Value> found;
  for (ValueId id : ids) {
    rt::StatusOr<mlir::Value> value = lookupValue(id);
    if (!value.ok())
      return value.getStatus();
    found.push_back(*value);
  }
  return found;
}

rt::StatusOr<FunctionBuilder::ValueId>
FunctionBuilder::addArgument(const TypeSpec &type) {
  if (finished)
    return rt::failedPrecondition("the function is finished");
  std::lock_guard<std::mutex> lock(compiler.compileMutex);
  rt::StatusOr<mlir::Type> mlirType = getMlirType(type);
  if (!mlirType.ok())
    return mlirType.getStatus();
  mlir::Block &entry = function.getBody().front();
  values.push_back(entry.addArgument(*mlirType, function.getLoc()));
  return static_cast<ValueId>(values.size() - 1);
}

rt::StatusOr<std::vector<FunctionBuilder::ValueId>> FunctionBuilder::create(
    llvm::StringRef opName, llvm::ArrayRef<ValueId> operands,
    llvm::ArrayRef<std::pair<std::string, std::string>> attributes,
    const SourceLocation &location) {
  if (finished)
    return rt::failedPrecondition("the function is finished");
  mlir::MLIRContext &context = compiler.getContext();
  std::lock_guard<std::mutex> lock(compiler.compileMutex);
  DiagnosticCollector diagnostics(context);

  std::optional<mlir::RegisteredOperationName> info =
      mlir::RegisteredOperationName::lookup(opName, &context);
  if (!info)
    return rt::invalidArgument("'" + opName.str() + "' is not a known op");

  mlir::OperationState state(getLocation(location), *info);
  rt::StatusOr<llvm::SmallVector<mlir::Value>> operandValues =
      lookupValues(operands);
  if (!operandValues.ok())
    return operandValues.getStatus();
  state.addOperands(*operandValues);
  // Dialect-prefixed names ("vsla.equal_shapes") are discardable attributes;
  // the others are the op's own (its properties).
  mlir::NamedAttrList attributeList, discardable;
  for (const auto &[name, text] : attributes) {
    mlir::Attribute attribute = mlir::parseAttribute(text, &context);
    if (!attribute)
      return buildError(diagnostics, "cannot parse attribute '" + name +
                                         "' = " + text + " of " + opName.str());
    (llvm::StringRef(name).contains('.') ? discardable : attributeList)
        .set(name, attribute);
  }
  mlir::DictionaryAttr dictionary = attributeList.getDictionary(&context);

  llvm::SmallVector<mlir::Type> types;
  if (failed(inferResultTypes(state, *info, dictionary, types)))
    return buildError(diagnostics, "'" + opName.str() +
                                       "' rejects these operands");
  state.addTypes(types);
  if (info->getOpPropertyByteSize() > 0)
    state.propertiesAttr = dictionary;
  else
    state.addAttributes(attributeList);
  state.addAttributes(discardable);
  mlir::Operation *op = builder.create(state);
  if (failed(mlir::verify(op))) {
    op->erase();
    return buildError(diagnostics, "'" + opName.str() + "' is invalid");
  }

  std::vector<ValueId> results;
  for (mlir::Value result : op->getResults()) {
    values.push_back(result);
    results.push_back(static_cast<ValueId>(values.size() - 1));
  }
  return results;
}

rt::StatusOr<FunctionBuilder::ValueId>
FunctionBuilder::createCast(ValueId value, rt::ElementType elementType,
                            const SourceLocation &location) {
  std::lock_guard<std::mutex> lock(compiler.compileMutex);
  rt::StatusOr<mlir::Value> input = lookupValue(value);
  if (!input.ok())
    return input.getStatus();
  auto type = llvm::dyn_cast<mlir::RankedTensorType>(input->getType());
  if (!type)
    return rt::invalidArgument("vsla.cast takes a tensor");
  auto resultType = type.clone(
      getMlirElementType(elementType, &compiler.getContext()));
  auto cast = mlir::vsla::CastOp::create(builder, getLocation(location),
                                         resultType, *input);
  values.push_back(cast.getResult());
  return static_cast<ValueId>(values.size() - 1);
}

rt::StatusOr<FunctionBuilder::ValueId>
FunctionBuilder::createIota(ValueId length, rt::ElementType elementType,
                            const SourceLocation &location) {
  std::lock_guard<std::mutex> lock(compiler.compileMutex);
  rt::StatusOr<mlir::Value> n = lookupValue(length);
  if (!n.ok())
    return n.getStatus();
  if (!n->getType().isIndex())
    return rt::invalidArgument("vsla.iota takes an index length");
  if (elementType == rt::ElementType::I1 || elementType == rt::ElementType::F16 ||
      elementType == rt::ElementType::BF16)
    return rt::invalidArgument("vsla.iota counts in f32, f64, i32 or i64");
  std::optional<int64_t> staticLength = mlir::getConstantIntValue(*n);
  if (staticLength && *staticLength < 0)
    return rt::invalidArgument("vsla.iota of the negative length " +
                               std::to_string(*staticLength));
  auto type = mlir::RankedTensorType::get(
      {staticLength ? *staticLength : mlir::ShapedType::kDynamic},
      getMlirElementType(elementType, &compiler.getContext()));
  auto iota = mlir::vsla::IotaOp::create(builder, getLocation(location), type, *n);
  values.push_back(iota.getResult());
  return static_cast<ValueId>(values.size() - 1);
}

rt::StatusOr<FunctionBuilder::ValueId>
FunctionBuilder::createConstant(rt::ElementType elementType,
                                llvm::ArrayRef<int64_t> shape,
                                const void *data,
                                const SourceLocation &location) {
  std::lock_guard<std::mutex> lock(compiler.compileMutex);
  TypeSpec spec;
  spec.elementType = elementType;
  spec.shape.assign(shape.begin(), shape.end());
  for (int64_t dim : shape)
    if (dim < 0)
      return rt::invalidArgument("a constant's shape must be static");
  rt::StatusOr<mlir::Type> type = getMlirType(spec);
  if (!type.ok())
    return type.getStatus();
  auto tensorType = llvm::cast<mlir::RankedTensorType>(*type);
  size_t count = tensorType.getNumElements();
  size_t bytes = count * rt::getElementByteSize(elementType);
  llvm::ArrayRef<char> raw(static_cast<const char *>(data), bytes);
  mlir::DenseElementsAttr attribute;
  if (elementType == rt::ElementType::I1) {
    // Dense i1 storage is bit-packed; build it from bools instead.
    llvm::SmallVector<bool> bits;
    for (char byte : raw)
      bits.push_back(byte != 0);
    attribute = mlir::DenseElementsAttr::get(tensorType, bits);
  } else {
    bool isSplat = false;
    if (!mlir::DenseElementsAttr::isValidRawBuffer(tensorType, raw, isSplat))
      return rt::invalidArgument("constant data does not match its type");
    attribute = mlir::DenseElementsAttr::getFromRawBuffer(tensorType, raw);
  }
  auto constant = mlir::vsla::ConstantOp::create(
      builder, getLocation(location), attribute);
  values.push_back(constant.getResult());
  return static_cast<ValueId>(values.size() - 1);
}

rt::StatusOr<FunctionBuilder::ValueId>
FunctionBuilder::createScalarConstant(rt::ElementType elementType,
                                      double value, bool isIndex) {
  std::lock_guard<std::mutex> lock(compiler.compileMutex);
  mlir::Location loc = builder.getUnknownLoc();
  mlir::Value result;
  if (isIndex) {
    result = mlir::arith::ConstantIndexOp::create(builder, loc,
                                                  static_cast<int64_t>(value));
  } else {
    mlir::Type type =
        getMlirElementType(elementType, &compiler.getContext());
    mlir::TypedAttr attribute;
    if (auto floatType = llvm::dyn_cast<mlir::FloatType>(type))
      attribute = builder.getFloatAttr(floatType, value);
    else
      attribute = builder.getIntegerAttr(type, static_cast<int64_t>(value));
    result = mlir::arith::ConstantOp::create(builder, loc, attribute);
  }
  values.push_back(result);
  return static_cast<ValueId>(values.size() - 1);
}

rt::StatusOr<FunctionBuilder::ValueId>
FunctionBuilder::createIntegerConstant(rt::ElementType elementType,
                                       int64_t value, bool isIndex) {
  std::lock_guard<std::mutex> lock(compiler.compileMutex);
  mlir::Location loc = builder.getUnknownLoc();
  mlir::Value result;
  if (isIndex) {
    result = mlir::arith::ConstantIndexOp::create(builder, loc, value);
  } else {
    mlir::Type type = getMlirElementType(elementType, &compiler.getContext());
    if (!llvm::isa<mlir::IntegerType>(type))
      return rt::invalidArgument("an integer constant needs an integer type");
    result = mlir::arith::ConstantOp::create(
        builder, loc, builder.getIntegerAttr(type, value));
  }
  values.push_back(result);
  return static_cast<ValueId>(values.size() - 1);
}

rt::StatusOr<std::vector<FunctionBuilder::ValueId>>
FunctionBuilder::appendAdjoints(llvm::ArrayRef<ValueId> results,
                                llvm::ArrayRef<ValueId> cotangents,
                                llvm::ArrayRef<ValueId> wrt,
                                const SourceLocation &location) {
  if (finished)
    return rt::failedPrecondition("the function is finished");
  if (results.size() != cotangents.size())
    return rt::invalidArgument("give one cotangent per result");
  std::lock_guard<std::mutex> lock(compiler.compileMutex);
  DiagnosticCollector diagnostics(compiler.getContext());
  auto resultValues = lookupValues(results);
  auto cotangentValues = lookupValues(cotangents);
  auto wrtValues = lookupValues(wrt);
  for (auto *values : {&resultValues, &cotangentValues, &wrtValues})
    if (!values->ok())
      return values->getStatus();
  // A cotangent may know fewer extents statically than its result.
  for (auto [result, cotangent] :
       llvm::zip_equal(*resultValues, *cotangentValues)) {
    if (result.getType() == cotangent.getType())
      continue;
    if (!mlir::tensor::CastOp::areCastCompatible(cotangent.getType(),
                                                 result.getType()))
      return rt::invalidArgument("a cotangent's type differs from its result's");
    cotangent = mlir::tensor::CastOp::create(builder, getLocation(location),
                                             result.getType(), cotangent);
  }
  mlir::FailureOr<llvm::SmallVector<mlir::Value>> adjoints =
      mlir::vsla::buildAdjoints(builder, getLocation(location), *resultValues,
                                *cotangentValues, *wrtValues);
  if (failed(adjoints))
    return buildError(diagnostics, "the function is not differentiable");
  std::vector<ValueId> ids;
  for (mlir::Value adjoint : *adjoints) {
    values.push_back(adjoint);
    ids.push_back(static_cast<ValueId>(values.size() - 1));
  }
  return ids;
}

rt::StatusOr<std::vector<FunctionBuilder::ValueId>> FunctionBuilder::createMap(
    FunctionBuilder &body, llvm::ArrayRef<ValueId> raggedValues,
    llvm::ArrayRef<ValueId> raggedShapes, llvm::ArrayRef<ValueId> shared,
    size_t raggedResults, const SourceLocation &location) {
  if (finished)
    return rt::failedPrecondition("the function is finished");
  if (!body.finished || &body.compiler != &compiler)
    return rt::failedPrecondition(
        "the body of a map must be a finished function of the same compiler");
  std::lock_guard<std::mutex> lock(compiler.compileMutex);
  DiagnosticCollector diagnostics(compiler.getContext());
  auto packed = lookupValues(raggedValues);
  auto shapes = lookupValues(raggedShapes);
  auto sharedValues = lookupValues(shared);
  for (auto *found : {&packed, &shapes, &sharedValues})
    if (!found->ok())
      return found->getStatus();
  mlir::func::FuncOp bodyFunction = body.function;
  llvm::ArrayRef<mlir::Type> bodyResults =
      bodyFunction.getFunctionType().getResults();
  if (raggedResults > bodyResults.size())
    return rt::invalidArgument("the body has fewer results than ragged ones");
  llvm::SmallVector<mlir::Type> valueTypes, shapeTypes, stackedTypes;
  for (auto [n, type] : llvm::enumerate(bodyResults)) {
    auto tensor = llvm::dyn_cast<mlir::RankedTensorType>(type);
    if (!tensor)
      return rt::invalidArgument("a mapped function returns tensors only");
    if (n < raggedResults) {
      valueTypes.push_back(mlir::RankedTensorType::get(
          {mlir::ShapedType::kDynamic}, tensor.getElementType()));
      shapeTypes.push_back(mlir::RankedTensorType::get(
          {mlir::ShapedType::kDynamic, tensor.getRank()},
          builder.getI64Type()));
    } else {
      stackedTypes.push_back(mlir::RankedTensorType::get(
          llvm::SmallVector<int64_t>(tensor.getRank() + 1,
                                     mlir::ShapedType::kDynamic),
          tensor.getElementType()));
    }
  }
  auto map = mlir::vsla::MapOp::create(builder, getLocation(location),
                                       valueTypes, shapeTypes, stackedTypes,
                                       *packed, *shapes, *sharedValues);
  map.getBody().takeBody(bodyFunction.getBody());
  mlir::Block &block = map.getBodyBlock();
  auto ret = llvm::cast<mlir::func::ReturnOp>(block.getTerminator());
  {
    mlir::OpBuilder b(ret);
    mlir::vsla::YieldOp::create(b, ret.getLoc(), ret.getOperands());
  }
  ret.erase();
  if (failed(mlir::verify(map))) {
    map.erase();
    return buildError(diagnostics, "'vsla.map' is invalid");
  }
  std::vector<ValueId> ids;
  for (mlir::Value result : map->getResults()) {
    values.push_back(result);
    ids.push_back(static_cast<ValueId>(values.size() - 1));
  }
  return ids;
}

rt::StatusOr<FunctionBuilder::ValueId>
FunctionBuilder::createUniformShapes(ValueId count,
                                     llvm::ArrayRef<ValueId> dims,
                                     const SourceLocation &location) {
  if (finished)
    return rt::failedPrecondition("the function is finished");
  std::lock_guard<std::mutex> lock(compiler.compileMutex);
  rt::StatusOr<mlir::Value> n = lookupValue(count);
  if (!n.ok())
    return n.getStatus();
  auto extents = lookupValues(dims);
  if (!extents.ok())
    return extents.getStatus();
  mlir::Location loc = getLocation(location);
  llvm::SmallVector<mlir::Value> asInts;
  for (mlir::Value extent : *extents) {
    if (!extent.getType().isIndex() || !n->getType().isIndex())
      return rt::invalidArgument("uniform shapes take index values");
    asInts.push_back(mlir::arith::IndexCastOp::create(
        builder, loc, builder.getI64Type(), extent));
  }
  auto rank = static_cast<int64_t>(asInts.size());
  mlir::Value row = mlir::tensor::FromElementsOp::create(
      builder, loc, mlir::RankedTensorType::get({1, rank}, builder.getI64Type()),
      asInts);
  mlir::Value shapes = mlir::vsla::BroadcastToOp::create(
      builder, loc, row,
      llvm::ArrayRef<mlir::OpFoldResult>{*n, builder.getIndexAttr(rank)});
  values.push_back(shapes);
  return static_cast<ValueId>(values.size() - 1);
}

rt::StatusOr<TypeSpec> FunctionBuilder::getType(ValueId value) const {
  rt::StatusOr<mlir::Value> v = lookupValue(value);
  if (!v.ok())
    return v.getStatus();
  mlir::Type type = v->getType();
  TypeSpec spec;
  if (auto tensorType = llvm::dyn_cast<mlir::RankedTensorType>(type)) {
    for (int64_t dim : tensorType.getShape())
      spec.shape.push_back(mlir::ShapedType::isDynamic(dim) ? TypeSpec::kDynamic
                                                            : dim);
    type = tensorType.getElementType();
  } else {
    spec.isTensor = false;
    spec.isIndex = type.isIndex();
  }
  std::optional<rt::ElementType> element = getRuntimeElementType(type);
  if (!element)
    return rt::invalidArgument("value %" + std::to_string(value) +
                               " has a type the runtime does not support");
  spec.elementType = *element;
  return spec;
}

rt::Status FunctionBuilder::finish(llvm::ArrayRef<ValueId> results) {
  if (finished)
    return rt::failedPrecondition("the function is finished");
  std::lock_guard<std::mutex> lock(compiler.compileMutex);
  DiagnosticCollector diagnostics(compiler.getContext());
  rt::StatusOr<llvm::SmallVector<mlir::Value>> found = lookupValues(results);
  if (!found.ok())
    return found.getStatus();
  llvm::SmallVector<mlir::Value> returned = std::move(*found);
  mlir::func::ReturnOp::create(builder, function.getLoc(), returned);
  mlir::Block &entry = function.getBody().front();
  function.setFunctionType(builder.getFunctionType(
      entry.getArgumentTypes(), mlir::ValueRange(returned).getTypes()));
  for (auto [packed, extents] : raggedArguments)
    function.setArgAttr(packed, mlir::vsla::kRaggedShapesAttrName,
                        builder.getI64IntegerAttr(extents));
  finished = true;
  if (failed(mlir::verify(*module)))
    return buildError(diagnostics, "the traced function is invalid");
  return rt::okStatus();
}

rt::Status FunctionBuilder::markRaggedArgument(ValueId values,
                                               ValueId shapes) {
  std::lock_guard<std::mutex> lock(compiler.compileMutex);
  rt::StatusOr<mlir::Value> packed = lookupValue(values);
  rt::StatusOr<mlir::Value> extents = lookupValue(shapes);
  if (!packed.ok())
    return packed.getStatus();
  if (!extents.ok())
    return extents.getStatus();
  auto packedArg = mlir::dyn_cast<mlir::BlockArgument>(*packed);
  auto extentsArg = mlir::dyn_cast<mlir::BlockArgument>(*extents);
  if (!packedArg || !extentsArg ||
      packedArg.getOwner() != &function.getBody().front() ||
      extentsArg.getOwner() != packedArg.getOwner())
    return rt::invalidArgument("a ragged argument's parts must be arguments");
  // Set by finish(), once the function type has every argument.
  raggedArguments.push_back(
      {packedArg.getArgNumber(), extentsArg.getArgNumber()});
  return rt::okStatus();
}

rt::Status FunctionBuilder::markRaggedResult(size_t values, size_t shapes) {
  if (!finished)
    return rt::failedPrecondition("finish() the function before marking its "
                                  "results");
  std::lock_guard<std::mutex> lock(compiler.compileMutex);
  if (values >= function.getNumResults() || shapes >= function.getNumResults())
    return rt::invalidArgument("no such result");
  function.setResultAttr(values, mlir::vsla::kRaggedShapesAttrName,
                         builder.getI64IntegerAttr(shapes));
  return rt::okStatus();
}

std::string FunctionBuilder::print() const {
  std::lock_guard<std::mutex> lock(compiler.compileMutex);
  std::string text;
  llvm::raw_string_ostream os(text);
  module.get()->print(os, mlir::OpPrintingFlags().enableDebugInfo(true, false));
  return text;
}

rt::StatusOr<std::shared_ptr<Executable>>
FunctionBuilder::compile(const CompileOptions &options) {
  if (!finished)
    return rt::failedPrecondition("finish() the function before compiling");
  return compiler.compile(*module, options);
}

} // namespace vsla
