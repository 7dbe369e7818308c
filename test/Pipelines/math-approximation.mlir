// tanh, erf, exp and log become vectorizable polynomial approximations;
// sin keeps its LLVM intrinsic, f64 keeps libm precision.
// RUN: vsla-opt %s --vsla-cpu-math-approximation | FileCheck %s

// CHECK-LABEL: func @approximated
// CHECK-NOT: math.tanh
// CHECK-NOT: math.erf
// CHECK-NOT: math.exp
// CHECK-NOT: math.log
// CHECK: math.sin
// CHECK: return
func.func @approximated(%x: f32, %v: vector<8xf32>) -> (f32, vector<8xf32>, f32) {
  %0 = math.tanh %x : f32
  %1 = math.erf %0 : f32
  %2 = math.exp %1 : f32
  %3 = math.log %2 : f32
  %4 = math.tanh %v : vector<8xf32>
  %5 = math.sin %3 : f32
  return %3, %4, %5 : f32, vector<8xf32>, f32
}

// CHECK-LABEL: func @double_precision
// CHECK: math.tanh %{{.*}} : f64
func.func @double_precision(%x: f64) -> f64 {
  %0 = math.tanh %x : f64
  return %0 : f64
}
