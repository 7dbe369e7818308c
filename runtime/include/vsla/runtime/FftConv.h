//===- FftConv.h - long convolutions through the FFT ------------*- C++ -*-===//
//
// The full linear convolution of two long 1-D signals costs m * n
// multiply-adds directly and O((m + n) log(m + n)) through the FFT. Compiled
// code calls these functions when both lengths are long (see
// docs/compiling.md); they use FFTW (Debian's libfftw3, loaded with dlopen),
// and compute directly when FFTW is missing or an input holds a NaN or an
// infinity (the FFT would spread it over every output, where the direct sum
// keeps it to the outputs it touches).
//
//===----------------------------------------------------------------------===//

#ifndef VSLA_RUNTIME_FFTCONV_H
#define VSLA_RUNTIME_FFTCONV_H

#include "vsla/runtime/Gemm.h"

extern "C" {
/// out[0 : m + n - 1] = conv(a, b) for a of length m >= 1, b of length
/// n >= 1, and out of length m + n - 1 (any strides).
void _mlir_ciface___vsla_fft_conv_f32(vsla::rt::StridedMemRef<float, 1> *a,
                                      vsla::rt::StridedMemRef<float, 1> *b,
                                      vsla::rt::StridedMemRef<float, 1> *out);
void _mlir_ciface___vsla_fft_conv_f64(vsla::rt::StridedMemRef<double, 1> *a,
                                      vsla::rt::StridedMemRef<double, 1> *b,
                                      vsla::rt::StridedMemRef<double, 1> *out);
}

#endif // VSLA_RUNTIME_FFTCONV_H
