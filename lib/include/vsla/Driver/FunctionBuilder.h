//===- FunctionBuilder.h - build a vsla function op by op -------*- C++ -*-===//
//
// The front ends' way into the compiler: a tracer records a program one op
// at a time, by name, with attributes written as MLIR attribute text, and the
// builder creates each op with the result types the op's own shape rules
// infer. So the types a front end sees (ranks, dtypes, extents known
// statically) come from the same rules the compiler uses, and a shape error
// is reported at the op that caused it, with the front end's source location.
//
//===----------------------------------------------------------------------===//

#ifndef VSLA_DRIVER_FUNCTIONBUILDER_H
#define VSLA_DRIVER_FUNCTIONBUILDER_H

#include "vsla/Driver/Compiler.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"

#include <string>
#include <utility>
#include <vector>

namespace vsla {

/// The type of a value crossing the front-end boundary: a scalar or a ranked
/// tensor whose dims are extents or kDynamic.
struct TypeSpec {
  static constexpr int64_t kDynamic = -1;
  bool isTensor = true;
  /// A scalar of MLIR's `index` type (a dim or an offset); 64-bit at run time.
  bool isIndex = false;
  rt::ElementType elementType = rt::ElementType::F32;
  std::vector<int64_t> shape;
};

/// Where the front end's user wrote an op.
struct SourceLocation {
  std::string file;
  unsigned line = 0;
  unsigned column = 0;
};

/// Builds one public function `@name` in a module of its own. Values are
/// numbered in creation order. Not thread-safe: use one builder per thread.
class FunctionBuilder {
public:
  using ValueId = int64_t;

  FunctionBuilder(Compiler &compiler, llvm::StringRef name);
  ~FunctionBuilder();

  /// Appends an argument of `type` to the function.
  rt::StatusOr<ValueId> addArgument(const TypeSpec &type);

  /// Creates the op `opName` (e.g. "vsla.add", "arith.addi", "tensor.dim")
  /// on `operands`. `attributes` are (name, MLIR attribute text) pairs.
  /// Result types are inferred; an op that infers none cannot be created
  /// this way. Fails with invalid_argument carrying the op's diagnostics.
  rt::StatusOr<std::vector<ValueId>>
  create(llvm::StringRef opName, llvm::ArrayRef<ValueId> operands,
         llvm::ArrayRef<std::pair<std::string, std::string>> attributes,
         const SourceLocation &location);

  /// `vsla.cast` of `value` to `elementType` (same shape).
  rt::StatusOr<ValueId> createCast(ValueId value, rt::ElementType elementType,
                                   const SourceLocation &location);

  /// A `vsla.constant` holding `data`, row-major, of the given shape.
  rt::StatusOr<ValueId> createConstant(rt::ElementType elementType,
                                       llvm::ArrayRef<int64_t> shape,
                                       const void *data,
                                       const SourceLocation &location);

  /// `vsla.iota` of the index value `length`, in `elementType`.
  rt::StatusOr<ValueId> createIota(ValueId length, rt::ElementType elementType,
                                   const SourceLocation &location);

  /// An `index` or scalar constant.
  rt::StatusOr<ValueId> createScalarConstant(rt::ElementType elementType,
                                             double value, bool isIndex);
  /// An `index` or integer constant, exact over the int64 range.
  rt::StatusOr<ValueId> createIntegerConstant(rt::ElementType elementType,
                                              int64_t value, bool isIndex);

  /// Appends the reverse-mode adjoints of `wrt` for `cotangents` of
  /// `results` (vector-Jacobian products, see vsla::buildAdjoints), as
  /// vsla ops at the end of the function; returns one value per `wrt`.
  /// Fails with invalid_argument naming an op that is not differentiable.
  rt::StatusOr<std::vector<ValueId>>
  appendAdjoints(llvm::ArrayRef<ValueId> results,
                 llvm::ArrayRef<ValueId> cotangents,
                 llvm::ArrayRef<ValueId> wrt, const SourceLocation &location);

  /// A `vsla.map` over the ragged batches (`raggedValues[j]`,
  /// `raggedShapes[j]`) and the `shared` values, whose body is the finished
  /// function of `body`: its arguments are the item index, one item per
  /// batch and one value per shared operand (of the operand's type); its
  /// first `raggedResults` results are collected as ragged batches, the
  /// rest stacked. `body` is left empty. Returns the map's results: values
  /// and shapes of each ragged result, then the stacked ones.
  rt::StatusOr<std::vector<ValueId>>
  createMap(FunctionBuilder &body, llvm::ArrayRef<ValueId> raggedValues,
            llvm::ArrayRef<ValueId> raggedShapes,
            llvm::ArrayRef<ValueId> shared, size_t raggedResults,
            const SourceLocation &location);

  /// The shapes tensor (`tensor<?xRxi64>`) of `count` items that all have
  /// the extents `dims` (index values): a dense batch seen as a ragged one.
  rt::StatusOr<ValueId> createUniformShapes(ValueId count,
                                            llvm::ArrayRef<ValueId> dims,
                                            const SourceLocation &location);

  rt::StatusOr<TypeSpec> getType(ValueId value) const;

  /// Ends the function: it returns `results`. The module is verified.
  rt::Status finish(llvm::ArrayRef<ValueId> results);

  /// Marks two arguments as one ragged value: packed values and their
  /// [items, rank] extents (vsla.ragged_shapes), so the export table and
  /// artifacts describe the pair.
  rt::Status markRaggedArgument(ValueId values, ValueId shapes);
  /// The same for results `values` and `shapes` (positions in the list
  /// finish() returned); after finish().
  rt::Status markRaggedResult(size_t values, size_t shapes);

  /// The module as MLIR text (for dumps and error messages).
  std::string print() const;

  /// Compiles the finished module (cached by the compiler like any other).
  rt::StatusOr<std::shared_ptr<Executable>>
  compile(const CompileOptions &options = {});

private:
  rt::StatusOr<mlir::Value> lookupValue(ValueId value) const;
  rt::StatusOr<llvm::SmallVector<mlir::Value>>
  lookupValues(llvm::ArrayRef<ValueId> ids) const;
  mlir::Location getLocation(const SourceLocation &location);
  rt::StatusOr<mlir::Type> getMlirType(const TypeSpec &type);

  Compiler &compiler;
  mlir::OwningOpRef<mlir::ModuleOp> module;
  mlir::func::FuncOp function;
  mlir::OpBuilder builder;
  std::vector<mlir::Value> values;
  bool finished = false;
  /// (packed values, extents) argument numbers of ragged arguments.
  std::vector<std::pair<unsigned, unsigned>> raggedArguments;
};

} // namespace vsla

#endif // VSLA_DRIVER_FUNCTIONBUILDER_H
