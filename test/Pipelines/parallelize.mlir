// RUN: vsla-opt %s --vsla-cpu-parallelize | FileCheck %s
// RUN: vsla-opt %s --vsla-cpu-parallelize --convert-linalg-to-loops --convert-scf-to-openmp --vsla-cpu-openmp-clauses | FileCheck %s --check-prefix=OMP

#id = affine_map<(d0, d1) -> (d0, d1)>
#row = affine_map<(d0, d1) -> (d0)>

// A dynamic elementwise op is split along its first loop into at most
// __vsla_num_threads() chunks of at least 131072 iterations each.
// CHECK-LABEL: func.func @elementwise
// CHECK: %[[N:.*]] = call @__vsla_num_threads() : () -> i64
// CHECK: arith.minui
// CHECK: arith.ceildivui
// CHECK: %[[TILE:.*]] = arith.maxui
// CHECK: %[[FORK:.*]] = arith.cmpi ugt
// CHECK: scf.if %[[FORK]] {
// CHECK: scf.parallel (%{{.*}}) = (%{{.*}}) to (%{{.*}}) step (%[[TILE]])
// CHECK: memref.subview
// CHECK: linalg.generic
// One chunk: the op as it was, outside OpenMP.
// CHECK: } else {
// CHECK-NEXT: linalg.generic {{.*}} ins(%arg0 : memref<?x?xf32>) outs(%arg1 : memref<?x?xf32>)
// OMP-LABEL: func.func @elementwise
// OMP: omp.parallel if(%{{.*}}) num_threads(%{{.*}} : i32)
// OMP: omp.wsloop {
// OMP-NOT: memref.alloca_scope
func.func @elementwise(%a: memref<?x?xf32>, %out: memref<?x?xf32>) {
  linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%a : memref<?x?xf32>) outs(%out : memref<?x?xf32>) {
  ^bb0(%x: f32, %y: f32):
    %t = math.tanh %x : f32
    linalg.yield %t : f32
  }
  return
}

// A row reduction is split along its rows, never along the reduced axis.
// CHECK-LABEL: func.func @row_sums
// CHECK: scf.parallel
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "reduction"]
func.func @row_sums(%a: memref<?x?xf32>, %out: memref<?xf32>) {
  linalg.generic {indexing_maps = [#id, #row], iterator_types = ["parallel", "reduction"]}
      ins(%a : memref<?x?xf32>) outs(%out : memref<?xf32>) {
  ^bb0(%x: f32, %acc: f32):
    %s = arith.addf %x, %acc : f32
    linalg.yield %s : f32
  }
  return
}

// Small static ops, ops inside loops and full reductions stay as they are.
// CHECK-LABEL: func.func @stays_serial
// CHECK-NOT: scf.parallel
// CHECK-NOT: __vsla_num_threads
// CHECK: return
func.func @stays_serial(%small: memref<4x8xf32>, %a: memref<?x?xf32>, %n: index,
                        %v: memref<?xf32>, %total: memref<f32>) {
  %cst = arith.constant 1.0 : f32
  linalg.fill ins(%cst : f32) outs(%small : memref<4x8xf32>)
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  scf.for %i = %c0 to %n step %c1 {
    linalg.fill ins(%cst : f32) outs(%a : memref<?x?xf32>)
  }
  linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> ()>],
                  iterator_types = ["reduction"]}
      ins(%v : memref<?xf32>) outs(%total : memref<f32>) {
  ^bb0(%x: f32, %acc: f32):
    %s = arith.addf %x, %acc : f32
    linalg.yield %s : f32
  }
  return
}

// A unit-step parallel loop (the chunks of items of a vsla.map, after
// scf-forall-to-parallel) runs on at most __vsla_num_threads() threads, each
// taking the next chunk as it finishes.
// CHECK-LABEL: func.func @map_chunks
// OMP-LABEL: func.func @map_chunks
// OMP: %[[T:.*]] = call @__vsla_num_threads() : () -> i64
// OMP: arith.minui
// OMP: omp.parallel if(%{{.*}}) num_threads(%{{.*}} : i32)
// OMP: omp.wsloop schedule(dynamic)
func.func @map_chunks(%chunks: index, %out: memref<?xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %cst = arith.constant 1.0 : f32
  scf.parallel (%i) = (%c0) to (%chunks) step (%c1) {
    memref.store %cst, %out[%i] : memref<?xf32>
    scf.reduce
  }
  return
}

// CHECK: func.func private @__vsla_num_threads() -> i64
