//===- FftConv.cpp - long convolutions through the FFT --------------------===//

#include "vsla/runtime/FftConv.h"

#include <climits>
#include <cmath>
#include <cstdint>
#include <complex>
#include <cstdlib>
#include <cstring>
#include <dlfcn.h>
#include <map>
#include <mutex>
#include <string>

namespace vsla::rt {
namespace {

constexpr unsigned kFftwEstimate = 1u << 6; // FFTW_ESTIMATE

/// The FFTW functions for one precision (fftwf_* or fftw_*), loaded on
/// first use. Plans are made once per transform size (planning is not
/// thread-safe: under a lock) and executed on any aligned arrays.
template <typename T> struct Fftw {
  using Plan = void *;
  using Complex = T[2];
  Plan (*planForward)(int, T *, Complex *, unsigned) = nullptr;
  Plan (*planBackward)(int, Complex *, T *, unsigned) = nullptr;
  void (*executeForward)(Plan, T *, Complex *) = nullptr;
  void (*executeBackward)(Plan, Complex *, T *) = nullptr;
  void *(*allocate)(size_t) = nullptr;
  void (*release)(void *) = nullptr;
  std::mutex planning;
  std::map<int, std::pair<Plan, Plan>> plans;

  bool available() const { return planForward != nullptr; }

  /// The forward and backward plans for size n (null when FFTW fails).
  std::pair<Plan, Plan> getPlans(int n) {
    std::lock_guard<std::mutex> lock(planning);
    auto it = plans.find(n);
    if (it != plans.end())
      return it->second;
    // Plans are made on scratch arrays of the alignment fftw_malloc gives,
    // and run on others of the same alignment (the new-array interface).
    T *real = static_cast<T *>(allocate(sizeof(T) * n));
    auto *spectrum = static_cast<Complex *>(allocate(sizeof(Complex) * (n / 2 + 1)));
    std::pair<Plan, Plan> made{nullptr, nullptr};
    if (real && spectrum)
      made = {planForward(n, real, spectrum, kFftwEstimate),
              planBackward(n, spectrum, real, kFftwEstimate)};
    release(real);
    release(spectrum);
    if (made.first && made.second)
      plans[n] = made;
    return made;
  }
};

template <typename T> Fftw<T> &getFftw();

template <typename T>
void load(Fftw<T> &fftw, const char *library, const char *prefix) {
  void *handle = dlopen(library, RTLD_NOW | RTLD_LOCAL);
  if (!handle)
    return;
  auto symbol = [&](const char *name) {
    return dlsym(handle, (std::string(prefix) + name).c_str());
  };
  auto planForward = symbol("plan_dft_r2c_1d");
  auto planBackward = symbol("plan_dft_c2r_1d");
  auto executeForward = symbol("execute_dft_r2c");
  auto executeBackward = symbol("execute_dft_c2r");
  auto allocate = symbol("malloc");
  auto release = symbol("free");
  if (!planForward || !planBackward || !executeForward || !executeBackward ||
      !allocate || !release)
    return;
  fftw.planBackward = reinterpret_cast<decltype(fftw.planBackward)>(planBackward);
  fftw.executeForward =
      reinterpret_cast<decltype(fftw.executeForward)>(executeForward);
  fftw.executeBackward =
      reinterpret_cast<decltype(fftw.executeBackward)>(executeBackward);
  fftw.allocate = reinterpret_cast<decltype(fftw.allocate)>(allocate);
  fftw.release = reinterpret_cast<decltype(fftw.release)>(release);
  fftw.planForward = reinterpret_cast<decltype(fftw.planForward)>(planForward);
}

template <> Fftw<float> &getFftw<float>() {
  static Fftw<float> fftw;
  static std::once_flag loaded;
  std::call_once(loaded, [] { load(fftw, "libfftw3f.so.3", "fftwf_"); });
  return fftw;
}

template <> Fftw<double> &getFftw<double>() {
  static Fftw<double> fftw;
  static std::once_flag loaded;
  std::call_once(loaded, [] { load(fftw, "libfftw3.so.3", "fftw_"); });
  return fftw;
}

/// The smallest n' >= n whose prime factors are 2, 3, 5 and 7 (FFTW's
/// fast sizes).
int64_t getFastSize(int64_t n) {
  for (int64_t size = n;; ++size) {
    int64_t rest = size;
    for (int64_t p : {2, 3, 5, 7})
      while (rest % p == 0)
        rest /= p;
    if (rest == 1)
      return size;
  }
}

template <typename T> struct Signal {
  const T *data;
  int64_t size, stride;
  T at(int64_t i) const { return data[i * stride]; }
};

template <typename T> bool isFinite(const Signal<T> &s) {
  for (int64_t i = 0; i < s.size; ++i)
    if (!std::isfinite(s.at(i)))
      return false;
  return true;
}

template <typename T>
void convDirect(const Signal<T> &a, const Signal<T> &b, T *out,
                int64_t outStride) {
  for (int64_t i = 0; i < a.size + b.size - 1; ++i)
    out[i * outStride] = T(0);
  for (int64_t j = 0; j < b.size; ++j) {
    T w = b.at(j);
    for (int64_t i = 0; i < a.size; ++i)
      out[(i + j) * outStride] += a.at(i) * w;
  }
}

/// Both signals' spectra multiplied, transformed back: false when FFTW or
/// its memory is missing (the caller then computes directly).
template <typename T>
bool convFft(const Signal<T> &a, const Signal<T> &b, T *out,
             int64_t outStride) {
  Fftw<T> &fftw = getFftw<T>();
  int64_t length = a.size + b.size - 1;
  int64_t n = getFastSize(length);
  if (!fftw.available() || n > INT32_MAX / 2)
    return false;
  auto [forward, backward] = fftw.getPlans(static_cast<int>(n));
  if (!forward || !backward)
    return false;
  using Complex = typename Fftw<T>::Complex;
  int64_t bins = n / 2 + 1;
  T *x = static_cast<T *>(fftw.allocate(sizeof(T) * n));
  T *y = static_cast<T *>(fftw.allocate(sizeof(T) * n));
  auto *fx = static_cast<Complex *>(fftw.allocate(sizeof(Complex) * bins));
  auto *fy = static_cast<Complex *>(fftw.allocate(sizeof(Complex) * bins));
  bool ok = x && y && fx && fy;
  if (ok) {
    std::memset(x, 0, sizeof(T) * n);
    std::memset(y, 0, sizeof(T) * n);
    for (int64_t i = 0; i < a.size; ++i)
      x[i] = a.at(i);
    for (int64_t i = 0; i < b.size; ++i)
      y[i] = b.at(i);
    fftw.executeForward(forward, x, fx);
    fftw.executeForward(forward, y, fy);
    T scale = T(1) / T(n);
    for (int64_t k = 0; k < bins; ++k) {
      T re = fx[k][0] * fy[k][0] - fx[k][1] * fy[k][1];
      T im = fx[k][0] * fy[k][1] + fx[k][1] * fy[k][0];
      fx[k][0] = re * scale;
      fx[k][1] = im * scale;
    }
    fftw.executeBackward(backward, fx, x);
    for (int64_t i = 0; i < length; ++i)
      out[i * outStride] = x[i];
  }
  fftw.release(x);
  fftw.release(y);
  fftw.release(fx);
  fftw.release(fy);
  return ok;
}

template <typename T>
void conv(StridedMemRef<T, 1> *a, StridedMemRef<T, 1> *b,
          StridedMemRef<T, 1> *out) {
  Signal<T> sa{a->aligned + a->offset, a->sizes[0], a->strides[0]};
  Signal<T> sb{b->aligned + b->offset, b->sizes[0], b->strides[0]};
  T *o = out->aligned + out->offset;
  if (sa.size == 0 || sb.size == 0 ||
      out->sizes[0] != sa.size + sb.size - 1)
    return; // the compiler only calls with non-empty signals
  if (!isFinite(sa) || !isFinite(sb) || !convFft(sa, sb, o, out->strides[0]))
    convDirect(sa, sb, o, out->strides[0]);
}

} // namespace
} // namespace vsla::rt

using vsla::rt::StridedMemRef;

extern "C" void _mlir_ciface___vsla_fft_conv_f32(StridedMemRef<float, 1> *a,
                                                 StridedMemRef<float, 1> *b,
                                                 StridedMemRef<float, 1> *out) {
  vsla::rt::conv(a, b, out);
}

extern "C" void _mlir_ciface___vsla_fft_conv_f64(StridedMemRef<double, 1> *a,
                                                 StridedMemRef<double, 1> *b,
                                                 StridedMemRef<double, 1> *out) {
  vsla::rt::conv(a, b, out);
}
