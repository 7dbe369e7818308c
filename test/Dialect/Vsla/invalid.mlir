// Every verifier rule of the vsla ops, with the diagnostic a user sees.
// RUN: vsla-opt %s -split-input-file -verify-diagnostics

func.func @rank_mismatch(%a: tensor<2x3xf32>, %b: tensor<3xf32>) {
  // expected-error @+1 {{'vsla.add' op operand ranks differ (2 vs 1: [2, 3] and [3]); use vsla.broadcast_to, vsla.promote or vsla.reshape to give both the same rank}}
  %0 = vsla.add %a, %b : tensor<2x3xf32>, tensor<3xf32>
  return
}

// -----

func.func @dtype_mismatch(%a: tensor<3xf32>, %b: tensor<3xf64>) {
  // expected-error @+1 {{'vsla.mul' op operand element types differ (f32 vs f64); insert vsla.cast to convert one of them}}
  %0 = vsla.mul %a, %b : tensor<3xf32>, tensor<3xf64>
  return
}

// -----

func.func @not_a_tensor(%a: i32, %b: i32) {
  // expected-error @+1 {{custom op 'vsla.sub' invalid kind of type specified: expected builtin.tensor, but found 'i32'}}
  %0 = vsla.sub %a, %b : i32, i32
  return
}

// -----

func.func @unranked(%a: tensor<*xf32>, %b: tensor<3xf32>) {
  // expected-error @+1 {{custom op 'vsla.add' invalid kind of type specified: expected builtin.tensor, but found 'tensor<*xf32>'}}
  %0 = vsla.add %a, %b : tensor<*xf32>, tensor<3xf32>
  return
}

// -----

func.func @unsupported_element(%a: tensor<3xi8>, %b: tensor<3xi8>) {
  // expected-error @+1 {{'vsla.add' op operand #0 must be ranked tensor of 16-bit float or bfloat16 type or 32-bit float or 64-bit float or 32-bit signless integer or 64-bit signless integer values, but got 'tensor<3xi8>'}}
  %0 = vsla.add %a, %b : tensor<3xi8>, tensor<3xi8>
  return
}

// -----

func.func @div_needs_floats(%a: tensor<3xi32>, %b: tensor<3xi32>) {
  // expected-error @+1 {{'vsla.div' op operand #0 must be ranked tensor of 16-bit float or bfloat16 type or 32-bit float or 64-bit float values}}
  %0 = vsla.div %a, %b : tensor<3xi32>, tensor<3xi32>
  return
}

// -----

func.func @exp_needs_floats(%a: tensor<3xi64>) {
  // expected-error @+1 {{'vsla.exp' op operand #0 must be ranked tensor of 16-bit float}}
  %0 = vsla.exp %a : tensor<3xi64>
  return
}

// -----

func.func @scalar_type(%x: tensor<3xf32>, %s: f64) {
  // expected-error @+1 {{'vsla.mul_scalar' op scalar type f64 differs from the tensor's element type f32; convert the scalar (arith casts) or the tensor (vsla.cast)}}
  %0 = vsla.mul_scalar %x, %s : tensor<3xf32>, f64
  return
}

// -----

func.func @broadcast_incompatible(%x: tensor<2xf32>) {
  // expected-error @+1 {{'vsla.broadcast_to' op cannot broadcast [2] to [4, 3]: input axis 0 has extent 2, which is neither 1 nor 3; use vsla.promote to zero-extend instead}}
  %0 = vsla.broadcast_to %x to [4, 3] : tensor<2xf32>
  return
}

// -----

func.func @broadcast_fewer_axes(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{'vsla.broadcast_to' op cannot broadcast [2, 3] to [3], which has fewer axes}}
  %0 = vsla.broadcast_to %x to [3] : tensor<2x3xf32>
  return
}

// -----

func.func @negative_extent(%x: tensor<2xf32>) {
  // expected-error @+1 {{'vsla.reshape' op target shape [-2] has a negative extent}}
  %0 = vsla.reshape %x to [-2] : tensor<2xf32>
  return
}

// -----

func.func @promote_shrinks(%x: tensor<5x2xf32>) {
  // expected-error @+1 {{'vsla.promote' op cannot promote [5, 2] to [3, 2]: axis 0 would shrink from 5 to 3; use vsla.slice to cut a tensor down}}
  %0 = vsla.promote %x to [3, 2] : tensor<5x2xf32>
  return
}

// -----

func.func @promote_rank(%x: tensor<5xf32>) {
  // expected-error @+1 {{'vsla.promote' op cannot promote [5] to [5, 1]: ranks differ}}
  %0 = vsla.promote %x to [5, 1] : tensor<5xf32>
  return
}

// -----

func.func @reshape_count(%x: tensor<6xf32>) {
  // expected-error @+1 {{'vsla.reshape' op cannot reshape [6] (6 elements) to [4] (4 elements); the element counts must agree}}
  %0 = vsla.reshape %x to [4] : tensor<6xf32>
  return
}

// -----

func.func @mixed_list_count(%x: tensor<6xf32>, %n: index) {
  // expected-error @+2 {{'vsla.reshape' op static_shape has 1 dynamic entries but 2 index operands; give one operand per '?'}}
  // expected-error @+1 {{'vsla.reshape' op failed to infer returned types}}
  %0 = "vsla.reshape"(%x, %n, %n) <{static_shape = array<i64: -9223372036854775808>}> : (tensor<6xf32>, index, index) -> tensor<?xf32>
  return
}

// -----

func.func @conv_rank0(%a: tensor<f32>, %b: tensor<f32>) {
  // expected-error @+1 {{'vsla.conv' op expects operands of rank >= 1 (the last axis is convolved)}}
  %0 = vsla.conv %a, %b : tensor<f32>, tensor<f32>
  return
}

// -----

func.func @conv_mode(%a: tensor<3xf32>, %b: tensor<2xf32>) {
  // expected-error @+2 {{expected ::mlir::vsla::ConvMode to be one of: full, valid, same}}
  // expected-error @+1 {{failed to parse Vsla_ConvModeAttr parameter 'value'}}
  %0 = vsla.conv %a, %b mode = wide : tensor<3xf32>, tensor<2xf32>
  return
}

// -----

func.func @kron_rank(%a: tensor<2xf32>, %b: tensor<2x2xf32>) {
  // expected-error @+1 {{'vsla.kron' op operand ranks differ (1 vs 2}}
  %0 = vsla.kron %a, %b : tensor<2xf32>, tensor<2x2xf32>
  return
}

// -----

func.func @kron_overflow(%a: tensor<4294967296xf32>, %b: tensor<4294967296xf32>) {
  // expected-error @+1 {{'vsla.kron' op result extent 4294967296 * 4294967296 overflows int64}}
  %0 = vsla.kron %a, %b : tensor<4294967296xf32>, tensor<4294967296xf32>
  return
}

// -----

func.func @matmul_vectors(%a: tensor<4xf32>, %b: tensor<4xf32>) {
  // expected-error @+1 {{'vsla.matmul' op expects operands of rank >= 2 ([..., m, k] and [..., k, n]), got [4] and [4]; use vsla.reshape to make vectors matrices}}
  %0 = vsla.matmul %a, %b : tensor<4xf32>, tensor<4xf32>
  return
}

// -----

func.func @matmul_batch_rank(%a: tensor<2x4x4xf32>, %b: tensor<4x4xf32>) {
  // expected-error @+1 {{'vsla.matmul' op operand ranks differ (3 vs 2}}
  %0 = vsla.matmul %a, %b : tensor<2x4x4xf32>, tensor<4x4xf32>
  return
}

// -----

func.func @axis_out_of_range(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{'vsla.sum' op axis 2 is out of range for rank 2; axes are in [0, 2) (normalize negative axes first)}}
  %0 = vsla.sum %x axes = [2] : tensor<2x3xf32>
  return
}

// -----

func.func @negative_axis(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{'vsla.max' op axis -1 is out of range for rank 2}}
  %0 = vsla.max %x axes = [-1] : tensor<2x3xf32>
  return
}

// -----

func.func @repeated_axis(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{'vsla.min' op axis 1 appears twice in [1, 1]; list each once}}
  %0 = vsla.min %x axes = [1, 1] : tensor<2x3xf32>
  return
}

// -----

func.func @mean_of_ints(%x: tensor<2x3xi32>) {
  // expected-error @+1 {{'vsla.mean' op operand #0 must be ranked tensor of 16-bit float}}
  %0 = vsla.mean %x axes = [0] : tensor<2x3xi32>
  return
}

// -----

func.func @softmax_axis(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{'vsla.softmax' op axis 5 is out of range for rank 2}}
  %0 = vsla.softmax %x axis = 5 : tensor<2x3xf32>
  return
}

// -----

func.func @transpose_length(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{'vsla.transpose' op perm [0] has 1 entries but the input [2, 3] has rank 2; give one entry per axis}}
  %0 = vsla.transpose %x perm = [0] : tensor<2x3xf32>
  return
}

// -----

func.func @reverse_axis(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{'vsla.reverse' op axis 2 is out of range for rank 2}}
  %0 = vsla.reverse %x axes = [2] : tensor<2x3xf32>
  return
}

// -----

func.func @sign_of_bool(%x: tensor<3xi1>) {
  // expected-error @+1 {{'vsla.sign' op operand #0 must be}}
  %0 = vsla.sign %x : tensor<3xi1>
  return
}

// -----

func.func @transpose_not_permutation(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{'vsla.transpose' op perm entry 0 appears twice in [0, 0]}}
  %0 = vsla.transpose %x perm = [0, 0] : tensor<2x3xf32>
  return
}

// -----

func.func @slice_count(%x: tensor<6x4xf32>) {
  // expected-error @+1 {{'vsla.slice' op expects one offset, size and stride per axis of [6, 4], got 1, 1 and 1}}
  %0 = vsla.slice %x [0] [1] [1] : tensor<6x4xf32>
  return
}

// -----

func.func @slice_past_end(%x: tensor<6xf32>) {
  // expected-error @+1 {{'vsla.slice' op axis 0: slice of 3 elements from offset 1 with stride 3 reads past the extent 6; clamp the slice to the input}}
  %0 = vsla.slice %x [1] [3] [3] : tensor<6xf32>
  return
}

// -----

func.func @slice_stride(%x: tensor<6xf32>) {
  // expected-error @+1 {{'vsla.slice' op axis 0: stride 0 is not positive}}
  %0 = vsla.slice %x [0] [1] [0] : tensor<6xf32>
  return
}

// -----

func.func @slice_negative_offset(%x: tensor<6xf32>) {
  // expected-error @+1 {{'vsla.slice' op axis 0: offset -1 is negative}}
  %0 = vsla.slice %x [-1] [1] [1] : tensor<6xf32>
  return
}

// -----

func.func @concat_other_axis(%a: tensor<2x3xf32>, %b: tensor<2x4xf32>) {
  // expected-error @+1 {{'vsla.concat' op input 1 has shape [2, 4] but the inputs before it have extent 3 on axis 1 (not the concat axis 0); use vsla.promote to match them, or vsla.stack for ragged inputs}}
  %0 = vsla.concat %a, %b axis = 0 : tensor<2x3xf32>, tensor<2x4xf32>
  return
}

// -----

func.func @concat_axis(%a: tensor<2xf32>) {
  // expected-error @+1 {{'vsla.concat' op axis 1 is out of range for rank 1}}
  %0 = vsla.concat %a axis = 1 : tensor<2xf32>
  return
}

// -----

func.func @concat_none() {
  // expected-error @+2 {{'vsla.concat' op expects at least one input}}
  // expected-error @+1 {{'vsla.concat' op failed to infer returned types}}
  %0 = "vsla.concat"() <{axis = 0 : i64}> : () -> tensor<0xf32>
  return
}

// -----

func.func @stack_rank(%a: tensor<2xf32>, %b: tensor<2x2xf32>) {
  // expected-error @+1 {{'vsla.stack' op input 1 has shape [2, 2] of rank 2, input 0 has [2]; all inputs need the same rank (use vsla.reshape)}}
  %0 = vsla.stack %a, %b : tensor<2xf32>, tensor<2x2xf32>
  return
}

// -----

func.func @stack_dtype(%a: tensor<2xf32>, %b: tensor<2xf64>) {
  // expected-error @+1 {{'vsla.stack' op input 1 has element type f64 but input 0 has f32; insert vsla.cast to convert}}
  %0 = vsla.stack %a, %b : tensor<2xf32>, tensor<2xf64>
  return
}

// -----

func.func @window_size(%a: tensor<2xf32>) {
  // expected-error @+1 {{'vsla.window_stack' op window 0 is not positive; a window holds >= 1 tensors}}
  %0 = vsla.window_stack %a window = 0 : tensor<2xf32>
  return
}

// -----

func.func @pyramid_levels(%a: tensor<2xf32>) {
  // expected-error @+1 {{'vsla.pyramid_stack' op levels must be in [1, 16]; a pyramid has at least one level}}
  %0 = vsla.pyramid_stack %a window = 1 levels = 0 : tensor<2xf32>
  return
}

// -----

func.func @constant_type() {
  // expected-error @+1 {{'vsla.constant' op result #0 must be ranked tensor of 16-bit float}}
  %0 = vsla.constant dense<[1, 2]> : tensor<2xi8>
  return
}

// -----

func.func @cast_shape(%x: tensor<3xf32>) {
  // expected-error @+1 {{'vsla.cast' op changes the shape from [3] to [4]; vsla.cast changes the element type only (use vsla.reshape or vsla.promote to change the shape)}}
  %0 = vsla.cast %x : tensor<3xf32> to tensor<4xf64>
  return
}

// -----

func.func @generic_result_type(%a: tensor<3xf32>, %b: tensor<2xf32>) {
  // expected-error @+2 {{'vsla.add' op inferred type(s) 'tensor<3xf32>' are incompatible with return type(s) of operation 'tensor<2xf32>'}}
  // expected-error @+1 {{'vsla.add' op failed to infer returned types}}
  %0 = "vsla.add"(%a, %b) : (tensor<3xf32>, tensor<2xf32>) -> tensor<2xf32>
  return
}

// -----

func.func @generic_not_a_tensor(%a: i32, %b: i32) {
  // expected-error @+1 {{'vsla.sub' op operand #0 must be ranked tensor}}
  %0 = "vsla.sub"(%a, %b) : (i32, i32) -> i32
  return
}

// -----

func.func @stack_none() {
  // expected-error @+2 {{'vsla.stack' op expects at least one input}}
  // expected-error @+1 {{'vsla.stack' op failed to infer returned types}}
  %0 = "vsla.stack"() : () -> tensor<0xf32>
  return
}

// -----

func.func @window_dtype(%a: tensor<2xf32>, %b: tensor<2xi32>) {
  // expected-error @+1 {{'vsla.window_stack' op input 1 has element type i32 but input 0 has f32; insert vsla.cast to convert}}
  %0 = vsla.window_stack %a, %b window = 2 : tensor<2xf32>, tensor<2xi32>
  return
}

// -----

func.func @pyramid_window(%a: tensor<2xf32>) {
  // expected-error @+1 {{'vsla.pyramid_stack' op window -2 is not positive}}
  %0 = vsla.pyramid_stack %a window = -2 levels = 1 : tensor<2xf32>
  return
}

// -----

func.func @slice_negative_size(%x: tensor<6xf32>) {
  // expected-error @+1 {{'vsla.slice' op axis 0: size -3 is negative}}
  %0 = vsla.slice %x [0] [-3] [1] : tensor<6xf32>
  return
}

// -----

func.func @shrink_element(%x: tensor<4xi8>) {
  // expected-error @+1 {{'vsla.shrink' op operand #0 must be ranked tensor of}}
  %0 = vsla.shrink %x : tensor<4xi8>
  return
}

// -----

func.func @relu_of_bools(%x: tensor<4xi1>) {
  // expected-error @+1 {{'vsla.relu' op operand #0 must be ranked tensor of}}
  %0 = vsla.relu %x : tensor<4xi1>
  return
}

// -----

func.func @pow_int_scalar(%x: tensor<4xi32>, %s: i32) {
  // expected-error @+1 {{'vsla.pow_scalar' op operand #0 must be ranked tensor of 16-bit float}}
  %0 = vsla.pow_scalar %x, %s : tensor<4xi32>, i32
  return
}

// -----

func.func @broadcast_dynamic_count(%x: tensor<3xf32>, %n: index) {
  // expected-error @+2 {{expected integer value}}
  // expected-error @+1 {{expected SSA value or integer}}
  %0 = vsla.broadcast_to %x to [%n, ?] : tensor<3xf32>
  return
}

// -----

func.func @fold_rows(%x: tensor<5x6xf32>) {
  // expected-error @+1 {{'vsla.fold' op has 5 rows, not a multiple of taps = 3}}
  %0 = vsla.fold %x taps = 3 : tensor<5x6xf32>
  return
}

// -----

func.func @unfold_rank(%x: tensor<5xf32>) {
  // expected-error @+1 {{'vsla.unfold' op takes a tensor of rank at least 2 ([..., channels, length]), got 1}}
  %0 = vsla.unfold %x taps = 3 : tensor<5xf32>
  return
}
