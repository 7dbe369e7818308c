// vsla-to-gpu on a map over a ragged batch (the pooling of
// tools/vsla-run/Inputs/pool.mlir): the sizing loop reads the shapes from a
// host copy (one device-to-host copy of the table), the offsets it computes
// (and those of each item's part of the workspaces) go to the device, then
// one launch runs every item, a thread block each,
// with block-wide reductions (warp shuffles and barriers in the PTX).
// RUN: vsla-opt %S/../tools/vsla-run/Inputs/pool.mlir --vsla-to-gpu=compile-to=gpu | FileCheck %s --check-prefix=GPU
// RUN: vsla-opt %S/../tools/vsla-run/Inputs/pool.mlir --vsla-to-gpu | FileCheck %s --check-prefix=PTX --implicit-check-not=".extern .func"

// GPU-LABEL: func.func @pool(
// GPU-SAME: %{{.*}}: memref<?xf32> {vsla.ragged_shapes = 1 : i64}, %[[SHAPES:.*]]: memref<?x1xi64>)
// GPU: %[[N:.*]] = memref.dim %[[SHAPES]], %c0
// GPU: %[[HOST:.*]] = memref.alloc(%[[N]]) {vsla.host_buffer} : memref<?x1xi64>
// GPU: %[[TABLE:.*]] = memref.alloc(%{{.*}}) {vsla.host_buffer} : memref<?xindex>
// GPU: gpu.memcpy async [%{{.*}}] %[[HOST]], %[[SHAPES]]
// GPU: scf.for
// GPU:   memref.load %[[HOST]]
// GPU:   memref.store %{{.*}}, %[[TABLE]]
// Each temporary's workspace: a table of where each item's part starts,
// summed on the host, copied to the device with the item offsets.
// GPU: %[[PARTS:.*]] = memref.alloc(%{{.*}}) {vsla.host_buffer} : memref<?xindex>
// GPU: scf.for
// GPU:   memref.store %{{.*}}, %[[PARTS]]
// GPU: gpu.memcpy async [%{{.*}}] %{{.*}}, %[[TABLE]]
// GPU: gpu.memcpy async [%{{.*}}] %{{.*}}, %[[PARTS]]
// GPU: gpu.launch_func async [%{{.*}}] @{{.*}} blocks in (%[[N]], %c1, %c1) threads in (%c256, %c1, %c1)
// GPU: memref.dealloc %[[HOST]]
// GPU: memref.dealloc %[[TABLE]]
// GPU: return

// PTX: gpu.binary @pool_kernel_0
// PTX: shfl.sync.bfly.b32
// PTX: bar.sync
