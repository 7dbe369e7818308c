// Long 1-D float convolutions call the runtime's FFT convolution; short,
// batched or integer ones keep the direct sum.
// RUN: vsla-opt %s --convert-vsla-to-linalg --canonicalize -split-input-file | FileCheck %s
// Code for a GPU has no host FFT: every convolution is the direct sum.
// RUN: vsla-opt %s --convert-vsla-to-linalg=use-runtime-fft=false -split-input-file | FileCheck %s --check-prefix=NOFFT --implicit-check-not=__vsla_fft_conv
// NOFFT-LABEL: func.func @dynamic
// NOFFT: linalg.generic

// Dynamic lengths: the choice is made at run time, on the shorter length.
// CHECK-LABEL: func.func @dynamic
// CHECK: arith.minui
// CHECK: %[[LONG:.*]] = arith.cmpi uge, %{{.*}}, %c64
// CHECK: scf.if %[[LONG]]
// CHECK: bufferization.to_buffer %{{.*}} read_only
// CHECK: call @__vsla_fft_conv_f32
// CHECK: bufferization.to_tensor %{{.*}} restrict writable
// CHECK: } else {
// CHECK: scf.for
// CHECK: func.func private @__vsla_fft_conv_f32(memref<?xf32, strided<[?], offset: ?>>, memref<?xf32, strided<[?], offset: ?>>, memref<?xf32, strided<[?], offset: ?>>) attributes {llvm.emit_c_interface}
func.func @dynamic(%a: tensor<?xf32>, %b: tensor<?xf32>) -> tensor<?xf32> {
  %r = vsla.conv %a, %b : tensor<?xf32>, tensor<?xf32>
  return %r : tensor<?xf32>
}

// -----

// Static and long: always the FFT.
// CHECK-LABEL: func.func @static_long
// CHECK-NOT: scf.for
// CHECK: call @__vsla_fft_conv_f64
func.func @static_long(%a: tensor<100xf64>, %b: tensor<300xf64>) -> tensor<399xf64> {
  %r = vsla.conv %a, %b : tensor<100xf64>, tensor<300xf64>
  return %r : tensor<399xf64>
}

// -----

// A short kernel, integers and batched signals: direct.
// CHECK-LABEL: func.func @direct
// CHECK-NOT: __vsla_fft_conv
// CHECK: return
func.func @direct(%a: tensor<?xf32>, %k: tensor<16xf32>, %i: tensor<?xi32>,
                  %j: tensor<?xi32>, %x: tensor<?x?xf32>, %y: tensor<?x?xf32>)
    -> (tensor<?xf32>, tensor<?xi32>, tensor<?x?xf32>) {
  %r = vsla.conv %a, %k : tensor<?xf32>, tensor<16xf32>
  %s = vsla.conv %i, %j : tensor<?xi32>, tensor<?xi32>
  %t = vsla.conv %x, %y : tensor<?x?xf32>, tensor<?x?xf32>
  return %r, %s, %t : tensor<?xf32>, tensor<?xi32>, tensor<?x?xf32>
}
