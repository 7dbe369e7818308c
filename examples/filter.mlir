// A variable-length signal filtered by a 3-tap kernel, plus a short bias
// that ambient promotion zero-extends: no padded copies, any length.
//
//   vsla-opt examples/filter.mlir --canonicalize
//   vsla-opt examples/filter.mlir --vsla-refine-shapes --canonicalize

func.func @filter(%signal: tensor<?xf32>, %kernel: tensor<3xf32>) -> tensor<?xf32> {
  %one = arith.constant 1.0 : f32
  %bias = vsla.constant dense<[0.5, 0.25]> : tensor<2xf32>
  %tail = vsla.constant dense<[0.5]> : tensor<1xf32>
  %nothing = vsla.constant dense<> : tensor<0xf32>
  // [0.5, 0.25] + [0.5] = [1.0, 0.25]: evaluated at compile time.
  %b = vsla.add %bias, %tail : tensor<2xf32>, tensor<1xf32>
  // The filtered signal has length n + 3 - 1, whatever n is.
  %y = vsla.conv %signal, %kernel : tensor<?xf32>, tensor<3xf32>
  // Multiplying by 1, a double negation and adding the empty tensor fold away.
  %y1 = vsla.mul_scalar %y, %one : tensor<?xf32>, f32
  %n1 = vsla.neg %y1 : tensor<?xf32>
  %n2 = vsla.neg %n1 : tensor<?xf32>
  %y2 = vsla.add %n2, %nothing : tensor<?xf32>, tensor<0xf32>
  // The bias reads as zero beyond its two elements.
  %z = vsla.add %y2, %b : tensor<?xf32>, tensor<2xf32>
  %r = vsla.tanh %z : tensor<?xf32>
  return %r : tensor<?xf32>
}

// The same filter specialized to 8-sample signals: after
// --vsla-refine-shapes every intermediate has a static extent.
func.func @specialized(%signal: tensor<8xf32>, %kernel: tensor<3xf32>) -> tensor<?xf32> {
  %s = tensor.cast %signal : tensor<8xf32> to tensor<?xf32>
  %y = vsla.conv %s, %kernel : tensor<?xf32>, tensor<3xf32>
  %b = vsla.constant dense<[1.0, 0.25]> : tensor<2xf32>
  %z = vsla.add %y, %b : tensor<?xf32>, tensor<2xf32>
  %r = vsla.tanh %z : tensor<?xf32>
  return %r : tensor<?xf32>
}
