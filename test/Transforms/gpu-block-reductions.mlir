// RUN: vsla-opt %s --vsla-gpu-block-reductions | FileCheck %s
// RUN: vsla-opt %s --vsla-gpu-block-reductions="block-size=128 max-blocks=1024" | FileCheck %s --check-prefix=SIZES

#id = affine_map<(d0, d1) -> (d0, d1)>
#row = affine_map<(d0, d1) -> (d0)>
#col = affine_map<(d0, d1) -> (d1)>

// Row sums: a block per row (blocks stride over rows beyond max-blocks), its
// threads stride over the row from the identity, gpu.all_reduce combines
// them, thread 0 folds the total into the output.
// CHECK-LABEL: func.func @row_sums(
// CHECK-SAME: %[[X:.*]]: memref<?x?xf32>, %[[Y:.*]]: memref<?xf32>)
// CHECK: %[[BLOCKS:.*]] = arith.minui %{{.*}}, %c65535
// CHECK: gpu.launch blocks(%[[B:.*]], %{{.*}}, %{{.*}}) in (%{{.*}} = %[[BLOCKS]], %{{.*}} = %c1{{.*}}, %{{.*}} = %c1{{.*}}) threads(%[[T:.*]], %{{.*}}, %{{.*}}) in (%[[BD:.*]] = %c256
// CHECK: scf.for %[[ROW:.*]] = %[[B]] to %{{.*}} step
// CHECK: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK: %[[PART:.*]] = scf.for %[[K:.*]] = %[[T]] to %{{.*}} step %[[BD]] iter_args(%[[ACC:.*]] = %[[ZERO]])
// CHECK: %[[V:.*]] = memref.load %[[X]][%[[ROW]], %[[K]]]
// CHECK: %[[E:.*]] = math.exp %[[V]]
// CHECK: arith.addf %[[ACC]], %[[E]]
// CHECK: %[[TOTAL:.*]] = gpu.all_reduce add %[[PART]] uniform
// CHECK: scf.if
// CHECK: %[[OLD:.*]] = memref.load %[[Y]][%[[ROW]]]
// CHECK: %[[NEW:.*]] = arith.addf %[[OLD]], %[[TOTAL]]
// CHECK: memref.store %[[NEW]], %[[Y]][%[[ROW]]]
// CHECK-NOT: linalg.generic
// SIZES-LABEL: func.func @row_sums(
// SIZES: arith.minui %{{.*}}, %c1024
// SIZES: threads({{.*}}) in ({{.*}} = %c128
func.func @row_sums(%x: memref<?x?xf32>, %y: memref<?xf32>) {
  linalg.generic {indexing_maps = [#id, #row],
                  iterator_types = ["parallel", "reduction"]}
      ins(%x : memref<?x?xf32>) outs(%y : memref<?xf32>) {
  ^bb0(%in: f32, %acc: f32):
    %e = math.exp %in : f32
    %s = arith.addf %acc, %e : f32
    linalg.yield %s : f32
  }
  return
}

// Column maxima (linalg.reduce): the reduced loop is the outer one.
// CHECK-LABEL: func.func @column_max(
// CHECK: %[[NEG:.*]] = arith.constant 0xFF800000 : f32
// CHECK: scf.for {{.*}} iter_args({{.*}} = %[[NEG]])
// CHECK: arith.maximumf
// CHECK: gpu.all_reduce maximumf
func.func @column_max(%x: memref<?x?xf32>, %y: memref<?xf32>) {
  linalg.reduce ins(%x : memref<?x?xf32>) outs(%y : memref<?xf32>) dimensions = [0]
    (%in: f32, %acc: f32) {
      %m = arith.maximumf %in, %acc : f32
      linalg.yield %m : f32
    }
  return
}

// A reduction to a scalar: one output, one block.
// CHECK-LABEL: func.func @total(
// CHECK: gpu.launch
// CHECK: gpu.all_reduce add
func.func @total(%x: memref<?xi32>, %y: memref<i32>) {
  linalg.reduce ins(%x : memref<?xi32>) outs(%y : memref<i32>) dimensions = [0]
    (%in: i32, %acc: i32) {
      %s = arith.addi %in, %acc : i32
      linalg.yield %s : i32
    }
  return
}

// 64-bit values too (a float64 total, an int64 count): the all-reduce's
// shuffles are split in two 32-bit ones later.
// CHECK-LABEL: func.func @wide(
// CHECK: gpu.launch
// CHECK: gpu.all_reduce add
// CHECK-NEXT: } : (f64) -> f64
// CHECK: gpu.launch
// CHECK: gpu.all_reduce maxsi
// CHECK-NEXT: } : (i64) -> i64
func.func @wide(%x: memref<?xf64>, %y: memref<f64>, %i: memref<?xi64>,
                %j: memref<i64>) {
  linalg.reduce ins(%x : memref<?xf64>) outs(%y : memref<f64>) dimensions = [0]
    (%in: f64, %acc: f64) {
      %s = arith.addf %in, %acc : f64
      linalg.yield %s : f64
    }
  linalg.reduce ins(%i : memref<?xi64>) outs(%j : memref<i64>) dimensions = [0]
    (%in: i64, %acc: i64) {
      %m = arith.maxsi %in, %acc : i64
      linalg.yield %m : i64
    }
  return
}

// Left to the parallel-loop mapping: 16-bit values, a body that is not a
// combination with the accumulator, elementwise ops. (linalg.reduce is
// generalized either way.)
// CHECK-LABEL: func.func @left_alone(
// CHECK-NOT: gpu.launch
// CHECK: linalg.generic {{.*}} iterator_types = ["reduction"]
// CHECK: linalg.generic
// CHECK: linalg.generic
func.func @left_alone(%x: memref<?xf16>, %y: memref<f16>, %a: memref<?x?xf32>,
                      %b: memref<?xf32>) {
  linalg.reduce ins(%x : memref<?xf16>) outs(%y : memref<f16>) dimensions = [0]
    (%in: f16, %acc: f16) {
      %s = arith.addf %in, %acc : f16
      linalg.yield %s : f16
    }
  linalg.generic {indexing_maps = [#id, #row],
                  iterator_types = ["parallel", "reduction"]}
      ins(%a : memref<?x?xf32>) outs(%b : memref<?xf32>) {
  ^bb0(%in: f32, %acc: f32):
    %s = arith.subf %in, %acc : f32
    linalg.yield %s : f32
  }
  linalg.generic {indexing_maps = [#id, #id],
                  iterator_types = ["parallel", "parallel"]}
      ins(%a : memref<?x?xf32>) outs(%a : memref<?x?xf32>) {
  ^bb0(%in: f32, %out: f32):
    %e = math.exp %in : f32
    linalg.yield %e : f32
  }
  return
}
