//===- GpuDeviceChecks.cpp - run-time checks that fail inside kernels -----===//
//
// A run-time check whose fact depends on data (a label out of range) can end
// up inside a kernel, where the runtime's __vsla_check_failed cannot be
// called: it is a host function. Here such a check writes its id to a device
// word instead, and the host reads the word back right after the launch,
// before any later kernel can read memory on the strength of the fact, and
// fails the call there as on the CPU.
//
//===----------------------------------------------------------------------===//

#include "vsla/Dialect/VslaDialect.h"
#include "vsla/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/Builders.h"

namespace mlir::vsla {
#define GEN_PASS_DEF_VSLAGPUDEVICECHECKS
#include "vsla/Transforms/Passes.h.inc"
} // namespace mlir::vsla

using namespace mlir;

namespace {

SmallVector<func::CallOp> getCheckCalls(gpu::LaunchOp launch) {
  SmallVector<func::CallOp> calls;
  launch.walk([&](func::CallOp call) {
    if (call.getCallee() == vsla::kCheckFailedFunction)
      calls.push_back(call);
  });
  return calls;
}

void rewriteFunction(func::FuncOp func, ArrayRef<gpu::LaunchOp> launches) {
  Location loc = func.getLoc();
  OpBuilder b(func.getBody());
  Type i32 = b.getI32Type();
  auto wordType = MemRefType::get({1}, i32);
  // The device word (zero: no check failed) and the host word it is read
  // back into.
  auto flag = gpu::AllocOp::create(b, loc, wordType, /*asyncToken=*/Type(),
                                   ValueRange(), ValueRange(), ValueRange(),
                                   /*hostShared=*/UnitAttr());
  Value device = flag.getMemref();
  Value host = memref::AllocaOp::create(b, loc, wordType);
  Value zero = arith::ConstantIntOp::create(b, loc, 0, 32);
  gpu::MemsetOp::create(b, loc, /*asyncToken=*/Type(), ValueRange(), device,
                        zero);
  Value c0 = arith::ConstantIndexOp::create(b, loc, 0);

  for (gpu::LaunchOp launch : launches) {
    for (func::CallOp call : getCheckCalls(launch)) {
      OpBuilder inKernel(call);
      Value id = arith::TruncIOp::create(inKernel, call.getLoc(), i32,
                                         call.getOperand(0));
      Value index = arith::ConstantIndexOp::create(inKernel, call.getLoc(), 0);
      memref::StoreOp::create(inKernel, call.getLoc(), id, device, index);
      call.erase();
    }
    OpBuilder after(launch->getContext());
    after.setInsertionPointAfter(launch);
    Location at = launch.getLoc();
    gpu::MemcpyOp::create(after, at, /*asyncToken=*/Type(), ValueRange(),
                          host, device);
    Value failed = memref::LoadOp::create(after, at, host, c0);
    Value nonzero = arith::CmpIOp::create(
        after, at, arith::CmpIPredicate::ne, failed,
        arith::ConstantIntOp::create(after, at, 0, 32));
    auto branch = scf::IfOp::create(after, at, nonzero, /*withElseRegion=*/false);
    after.setInsertionPointToStart(&branch.getThenRegion().front());
    Value id = arith::ExtSIOp::create(after, at, after.getI64Type(), failed);
    func::CallOp::create(after, at, vsla::kCheckFailedFunction, TypeRange{},
                         ValueRange{id});
  }
  func.walk([&](func::ReturnOp ret) {
    OpBuilder before(ret);
    gpu::DeallocOp::create(before, ret.getLoc(), /*asyncToken=*/Type(),
                           ValueRange(), device);
  });
}

struct GpuDeviceChecksPass
    : vsla::impl::VslaGpuDeviceChecksBase<GpuDeviceChecksPass> {
  void runOnOperation() override {
    getOperation().walk([&](func::FuncOp func) {
      if (func->hasAttr(vsla::kShapeFunctionAttrName))
        return;
      SmallVector<gpu::LaunchOp> launches;
      func.walk([&](gpu::LaunchOp launch) {
        if (!getCheckCalls(launch).empty())
          launches.push_back(launch);
      });
      if (!launches.empty())
        rewriteFunction(func, launches);
    });
  }
};

} // namespace
