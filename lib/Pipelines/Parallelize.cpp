//===- Parallelize.cpp - large loop nests on every core -------------------===//
//
// A linalg op on memrefs that is not inside a loop (a function's elementwise
// chain, a reduction over rows, a fill) is split along its outermost parallel
// loop into at most `__vsla_num_threads()` chunks, as an scf.parallel that
// convert-scf-to-openmp turns into an OpenMP parallel loop. The split is
// decided at run time from the op's extents: each chunk gets at least
// kGrainElements iterations of work, and an op with one chunk runs as it
// was, on the calling thread, without entering OpenMP. Each chunk computes exactly what the whole op computes
// for its rows, in the same order, so results do not depend on the thread
// count.
//
//===----------------------------------------------------------------------===//

#include "CpuPasses.h"

#include "vsla/Dialect/VslaDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/OpenMP/OpenMPDialect.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Interfaces/LoopLikeInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

namespace mlir::vsla {
namespace {

/// Iterations of an op's loop nest one thread gets at least: below twice
/// this, an op runs on the calling thread. A fork and join costs a few
/// microseconds when the workers are awake and tens when another pool holds
/// the cores (measured with benchmarks/run.py): about the time of this much
/// elementwise work.
constexpr int64_t kGrainElements = 1 << 17;


bool isInsideLoop(Operation *op) {
  for (Operation *parent = op->getParentOp(); parent;
       parent = parent->getParentOp()) {
    if (isa<func::FuncOp>(parent))
      return false;
    if (isa<LoopLikeOpInterface>(parent) ||
        parent->getDialect()->getNamespace() == "omp")
      return true;
  }
  return false;
}

/// The loop to split: the outermost parallel loop, if every operand indexes
/// it with a plain dimension (no sliding windows over it).
std::optional<unsigned> getSplitLoop(linalg::LinalgOp op) {
  SmallVector<utils::IteratorType> iterators = op.getIteratorTypesArray();
  auto it = llvm::find(iterators, utils::IteratorType::parallel);
  if (it == iterators.end())
    return std::nullopt;
  unsigned loop = it - iterators.begin();
  for (AffineMap map : op.getIndexingMapsArray())
    for (AffineExpr result : map.getResults())
      if (result.isFunctionOfDim(loop) && !isa<AffineDimExpr>(result))
        return std::nullopt;
  return loop;
}

bool isSplittable(linalg::LinalgOp op) {
  if (!op.hasPureBufferSemantics() || op.getNumLoops() == 0 ||
      isInsideLoop(op))
    return false;
  // Chunks run on other threads: their bodies must not call out (run-time
  // checks unwind the calling thread) or touch memory beyond the operands.
  bool pure = true;
  op->walk([&](Operation *inner) {
    if (inner != op.getOperation() && !isa<linalg::YieldOp>(inner) &&
        !isMemoryEffectFree(inner))
      pure = false;
  });
  if (!pure || !getSplitLoop(op))
    return false;
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  if (llvm::none_of(ranges, ShapedType::isDynamic)) {
    int64_t total = 1;
    for (int64_t r : ranges)
      total = r == 0 ? 0 : (total > INT64_MAX / r ? INT64_MAX : total * r);
    if (total < 2 * kGrainElements)
      return false;
  }
  return true;
}

/// At most this many ops per function are split.
constexpr size_t kMaxParallelOpsPerFunction = 8;

/// Work by the op's static shape, a dynamic extent counted as 1024, per
/// operand it streams.
double getEstimatedCost(linalg::LinalgOp op) {
  double iterations = 1;
  for (int64_t r : op.getStaticLoopRanges())
    iterations *= ShapedType::isDynamic(r) ? 1024.0 : double(r);
  return iterations * op->getNumOperands();
}

func::FuncOp getNumThreadsDecl(ModuleOp module) {
  if (auto existing = module.lookupSymbol<func::FuncOp>(kNumThreadsFunction))
    return existing;
  OpBuilder b(module.getBodyRegion());
  b.setInsertionPointToEnd(module.getBody());
  auto decl = func::FuncOp::create(
      b, module.getLoc(), kNumThreadsFunction,
      b.getFunctionType({}, {b.getI64Type()}));
  decl.setPrivate();
  return decl;
}

struct ParallelizePass
    : PassWrapper<ParallelizePass, OperationPass<ModuleOp>> {
  MLIR_DEFINE_EXPLICIT_INTERNAL_INLINE_TYPE_ID(ParallelizePass)

  StringRef getArgument() const final { return "vsla-cpu-parallelize"; }
  StringRef getDescription() const final {
    return "Split large linalg ops on memrefs outside loops into per-thread "
           "chunks (scf.parallel)";
  }
  void getDependentDialects(DialectRegistry &registry) const override {
    registry.insert<arith::ArithDialect, func::FuncDialect,
                    memref::MemRefDialect, scf::SCFDialect>();
  }

  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<linalg::LinalgOp> candidates;
    module.walk([&](func::FuncOp func) {
      SmallVector<std::pair<double, linalg::LinalgOp>> ranked;
      func.walk([&](linalg::LinalgOp op) {
        // The items of a vsla.map already run in parallel.
        if (op->getParentOfType<scf::ForallOp>())
          return;
        if (isSplittable(op))
          ranked.push_back({getEstimatedCost(op), op});
      });
      // Each parallel region is outlined by LLVM's OpenMP support at a cost
      // that grows with the function's size: in functions with many ops
      // (training steps, whose large work is mostly BLAS products), only the
      // ops with the most work are split.
      llvm::stable_sort(ranked, [](const auto &a, const auto &b) {
        return a.first > b.first;
      });
      for (auto &[cost, op] : llvm::ArrayRef(ranked).take_front(
               kMaxParallelOpsPerFunction))
        candidates.push_back(op);
    });
    if (candidates.empty())
      return;
    func::FuncOp numThreads = getNumThreadsDecl(module);
    IRRewriter rewriter(&getContext());
    for (linalg::LinalgOp op : candidates) {
      Location loc = op.getLoc();
      unsigned loop = *getSplitLoop(op);
      rewriter.setInsertionPoint(op);
      SmallVector<Range> ranges = op.createLoopRanges(rewriter, loc);
      auto index = [&](OpFoldResult v) {
        return getValueOrCreateConstantIndexOp(rewriter, loc, v);
      };
      Value total = index(ranges.front().size);
      for (const Range &r : ArrayRef(ranges).drop_front())
        total = arith::MulIOp::create(rewriter, loc, total, index(r.size));
      Value one = arith::ConstantIndexOp::create(rewriter, loc, 1);
      Value grain = arith::ConstantIndexOp::create(rewriter, loc, kGrainElements);
      Value threads = arith::IndexCastOp::create(
          rewriter, loc, rewriter.getIndexType(),
          func::CallOp::create(rewriter, loc, numThreads, ValueRange{})
              .getResult(0));
      Value extent = index(ranges[loop].size);
      // chunks = clamp(total / grain, 1, min(threads, extent))
      Value chunks = arith::DivUIOp::create(rewriter, loc, total, grain);
      chunks = arith::MinUIOp::create(rewriter, loc, chunks, threads);
      chunks = arith::MinUIOp::create(rewriter, loc, chunks, extent);
      chunks = arith::MaxUIOp::create(rewriter, loc, chunks, one);
      Value tile = arith::CeilDivUIOp::create(rewriter, loc, extent, chunks);
      tile = arith::MaxUIOp::create(rewriter, loc, tile, one);

      // One chunk: the op as it was, without entering OpenMP (even a region
      // that does not fork costs a microsecond or more in libomp's loop
      // setup, per call).
      Value fork = arith::CmpIOp::create(
          rewriter, loc, arith::CmpIPredicate::ugt, chunks, one);
      auto branch = scf::IfOp::create(rewriter, loc, fork, /*withElse=*/true);
      rewriter.setInsertionPointToStart(&branch.getThenRegion().front());
      auto parallel = cast<linalg::LinalgOp>(rewriter.clone(*op));
      rewriter.moveOpBefore(op, branch.getElseRegion().front().getTerminator());
      rewriter.setInsertionPoint(parallel);

      linalg::LinalgTilingOptions options;
      options.setLoopType(linalg::LinalgTilingLoopType::ParallelLoops);
      unsigned numLoops = op.getNumLoops();
      options.setTileSizeComputationFunction(
          [&, loop, numLoops](OpBuilder &b, Operation *) {
            SmallVector<Value, 4> sizes;
            for (unsigned i = 0; i < numLoops; ++i)
              sizes.push_back(i == loop ? tile
                                        : arith::ConstantIndexOp::create(
                                              b, loc, 0)
                                              .getResult());
            return sizes;
          });
      // Untiled, the op stays serial: the other branch is the original.
      (void)linalg::tileLinalgOp(rewriter, parallel, options);
      rewriter.eraseOp(parallel);
    }
  }
};

/// After convert-scf-to-openmp: each omp.parallel gets if(trips > 1) and
/// num_threads: one thread per chunk of a split op, and for the chunks of
/// items of a vsla.map (a unit-step loop) at most __vsla_num_threads(), with
/// a dynamic schedule.
struct OpenMpClausesPass
    : PassWrapper<OpenMpClausesPass, OperationPass<ModuleOp>> {
  MLIR_DEFINE_EXPLICIT_INTERNAL_INLINE_TYPE_ID(OpenMpClausesPass)

  StringRef getArgument() const final { return "vsla-cpu-openmp-clauses"; }
  StringRef getDescription() const final {
    return "Run each omp.parallel on at most one thread per loop iteration "
           "(and the runtime's thread count), dynamically scheduled, and "
           "without forking when there is one iteration";
  }

  void runOnOperation() override {
    // convert-scf-to-openmp wraps each loop body in an alloca scope; ours
    // allocate nothing on the stack, and the scope would keep the body's
    // loops from becoming branches (one block per scope).
    SmallVector<memref::AllocaScopeOp> scopes;
    getOperation().walk([&](memref::AllocaScopeOp scope) {
      bool allocates = false;
      scope.walk([&](memref::AllocaOp) { allocates = true; });
      if (!allocates && scope->getNumResults() == 0)
        scopes.push_back(scope);
    });
    IRRewriter rewriter(&getContext());
    for (memref::AllocaScopeOp scope : scopes) {
      Block &body = scope.getBodyRegion().front();
      rewriter.eraseOp(body.getTerminator());
      rewriter.inlineBlockBefore(&body, scope);
      rewriter.eraseOp(scope);
    }
    getOperation().walk([&](omp::ParallelOp parallel) {
      if (parallel.getIfExpr() || parallel.getNumThreads())
        return;
      omp::LoopNestOp nest;
      parallel.walk([&](omp::LoopNestOp inner) {
        if (!nest)
          nest = inner;
      });
      if (!nest || nest.getLoopLowerBounds().size() != 1)
        return;
      Value lower = nest.getLoopLowerBounds()[0];
      Value upper = nest.getLoopUpperBounds()[0];
      Value step = nest.getLoopSteps()[0];
      for (Value v : {lower, upper, step})
        if (parallel->isAncestor(v.getParentBlock()->getParentOp()) ||
            !v.getType().isIndex())
          return;
      OpBuilder b(parallel);
      Location loc = parallel.getLoc();
      Value span = arith::SubIOp::create(b, loc, upper, lower);
      Value trips = arith::CeilDivUIOp::create(b, loc, span, step);
      Value one = arith::ConstantIndexOp::create(b, loc, 1);
      Value fork = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ugt,
                                         trips, one);
      // A split op's chunks (a step computed at run time) are at most the
      // runtime's thread count already: one thread each. The chunks of
      // items of a vsla.map (step 1) can be more: at most the runtime's
      // threads, each taking the next chunk as it finishes (items differ in
      // size).
      Value threads = trips;
      if (matchPattern(step, m_One())) {
        Value available =
            func::CallOp::create(b, loc, getNumThreadsDecl(getOperation()),
                                 ValueRange{})
                .getResult(0);
        threads = arith::MinUIOp::create(
            b, loc, trips,
            arith::IndexCastOp::create(b, loc, b.getIndexType(), available));
        if (auto loop = dyn_cast<omp::WsloopOp>(nest->getParentOp()))
          loop.setScheduleKind(omp::ClauseScheduleKind::Dynamic);
      }
      Value count = arith::IndexCastOp::create(b, loc, b.getI32Type(), threads);
      parallel.getIfExprMutable().assign(fork);
      parallel.getNumThreadsMutable().assign(count);
    });
  }
};

} // namespace

std::unique_ptr<Pass> createParallelizePass() {
  return std::make_unique<ParallelizePass>();
}

std::unique_ptr<Pass> createOpenMpClausesPass() {
  return std::make_unique<OpenMpClausesPass>();
}

} // namespace mlir::vsla
