// Ragged arguments and results (packed values marked with the index of
// their extents) are recorded in the export table's metadata; a mark on
// anything else is an error.
// RUN: vsla-opt %s -split-input-file -verify-diagnostics --vsla-synthesize-entry-points | FileCheck %s

// CHECK: vsla.exports = [{call = "lengths", destination_passing = false, function_type = {{.*}}, name = "lengths", ragged_arguments = array<i64: 0, 1>, ragged_results = array<i64: 1, 2>}]
func.func @lengths(%values: tensor<?xf32> {vsla.ragged_shapes = 1 : i64},
                   %shapes: tensor<?x1xi64>)
    -> (tensor<?xf32>, tensor<?xf32> {vsla.ragged_shapes = 2 : i64}, tensor<?x1xi64>) {
  %0 = vsla.shrink %values : tensor<?xf32>
  return %0, %values, %shapes : tensor<?xf32>, tensor<?xf32>, tensor<?x1xi64>
}

// -----

// expected-error @+1 {{argument 0 of @bad is marked vsla.ragged_shapes = 1, which needs rank-1 packed values and an i64 [items, rank] extents argument at that index}}
func.func @bad(%values: tensor<?xf32> {vsla.ragged_shapes = 1 : i64},
               %shapes: tensor<?x1xf32>) -> tensor<?xf32> {
  %0 = vsla.shrink %values : tensor<?xf32>
  return %0 : tensor<?xf32>
}
