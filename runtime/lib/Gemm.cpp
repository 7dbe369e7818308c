//===- Gemm.cpp - dense matrix products through BLAS ----------------------===//

#include "vsla/runtime/Gemm.h"
#include "vsla/runtime/Threads.h"

#include <algorithm>
#include <atomic>
#include <climits>
#include <cstdlib>
#include <dlfcn.h>
#include <mutex>

namespace vsla::rt {
namespace {

// The CBLAS enums (cblas.h), for the functions loaded below.
enum CblasOrder { CblasRowMajor = 101, CblasColMajor = 102 };
enum CblasTranspose { CblasNoTrans = 111, CblasTrans = 112 };
using Sgemm = void (*)(int, int, int, int, int, int, float, const float *, int,
                       const float *, int, float, float *, int);
using Dgemm = void (*)(int, int, int, int, int, int, double, const double *,
                       int, const double *, int, double, double *, int);
using SetNumThreads = void (*)(int);

using GompParallel = void (*)(void (*)(void *), void *, unsigned, unsigned);
using OmpGetThreadNum = int (*)();

/// Debian's OpenBLAS (libopenblas0-pthread), loaded on first use. When the
/// process has LLVM's OpenMP runtime (loaded for compiled code's parallel
/// loops), large products are split across its threads and BLAS runs single
/// threaded in each: one pool of threads for everything, instead of BLAS's
/// own threads and OpenMP's spinning against each other for the cores.
struct Blas {
  Sgemm sgemm = nullptr;
  Dgemm dgemm = nullptr;
  SetNumThreads setNumThreads = nullptr;
  GompParallel parallel = nullptr;
  OmpGetThreadNum threadNum = nullptr;
};

/// The CPU's kernel family, for OpenBLAS builds whose run-time detection
/// does not know this CPU model (on some virtual machines it falls back to
/// SSE3 kernels, 4x slower): what the CPU supports, not what it is called.
const char *getOpenBlasCoreType() {
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
      __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl"))
    return "SKYLAKEX";
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
    return "HASWELL";
  return nullptr;
}

/// Set once getBlas() has loaded the library (setBlasThreads before that has
/// nothing to set, and must not load it: getBlas reads the thread count).
std::atomic<bool> blasLoaded{false};

const Blas &getBlas() {
  static Blas blas;
  static std::once_flag loaded;
  std::call_once(loaded, [] {
#if defined(__x86_64__)
    if (!std::getenv("OPENBLAS_CORETYPE"))
      if (const char *core = getOpenBlasCoreType())
        setenv("OPENBLAS_CORETYPE", core, /*overwrite=*/0);
#endif
    void *library = nullptr;
    for (const char *name :
         {"libopenblas.so.0", "libopenblasp-r0.so", "libopenblas.so"})
      if ((library = dlopen(name, RTLD_NOW | RTLD_LOCAL)))
        break;
    if (!library)
      return;
    auto sgemm = reinterpret_cast<Sgemm>(dlsym(library, "cblas_sgemm"));
    auto dgemm = reinterpret_cast<Dgemm>(dlsym(library, "cblas_dgemm"));
    if (!sgemm || !dgemm)
      return;
    blas.sgemm = sgemm;
    blas.dgemm = dgemm;
    blas.setNumThreads = reinterpret_cast<SetNumThreads>(
        dlsym(library, "openblas_set_num_threads"));
    // libomp's entry points (its GOMP_parallel is the GNU-ABI fork), so
    // that products split across the same threads as compiled loops.
    blas.parallel =
        reinterpret_cast<GompParallel>(findOpenMpSymbol("GOMP_parallel"));
    blas.threadNum = reinterpret_cast<OmpGetThreadNum>(
        findOpenMpSymbol("omp_get_thread_num"));
    if (!blas.threadNum)
      blas.parallel = nullptr;
    if (blas.setNumThreads)
      blas.setNumThreads(blas.parallel ? 1 : getNumThreads());
    blasLoaded.store(true);
  });
  return blas;
}

/// A rows x cols view: element (i, j) at data[i * rowStride + j * colStride].
template <typename T> struct Matrix {
  T *data;
  int64_t rows, cols, rowStride, colStride;
};

/// How BLAS reads a matrix: as stored (row major with leading dimension ld)
/// or transposed (column major with leading dimension ld).
struct BlasLayout {
  bool transposed;
  int64_t ld;
};

/// The BLAS layout of `m`, if its strides have one (a dimension of extent 1
/// may have any stride). Views whose rows overlap (broadcast strides) have
/// none.
template <typename T> bool getBlasLayout(const Matrix<T> &m, BlasLayout &layout) {
  int64_t rows = m.rows, cols = m.cols;
  if ((m.colStride == 1 || cols == 1) &&
      (rows == 1 || m.rowStride >= cols)) {
    layout = {false, rows == 1 ? cols : m.rowStride};
    return true;
  }
  if ((m.rowStride == 1 || rows == 1) &&
      (cols == 1 || m.colStride >= rows)) {
    layout = {true, cols == 1 ? rows : m.colStride};
    return true;
  }
  return false;
}

bool fitsBlasInt(int64_t value) { return value >= 0 && value <= INT_MAX; }

/// Memory freed when it goes out of scope.
struct Scratch {
  void *ptr = nullptr;
  ~Scratch() { std::free(ptr); }
};

/// A dense row-major copy of `m` (for views BLAS cannot read, such as
/// broadcasts) in `storage`; false when it cannot be allocated.
template <typename T>
bool packRowMajor(Matrix<T> &m, Scratch &storage) {
  storage.ptr = std::malloc(static_cast<size_t>(m.rows * m.cols) * sizeof(T));
  if (!storage.ptr)
    return false;
  T *dense = static_cast<T *>(storage.ptr);
  for (int64_t i = 0; i < m.rows; ++i)
    for (int64_t j = 0; j < m.cols; ++j)
      dense[i * m.cols + j] = m.data[i * m.rowStride + j * m.colStride];
  m = {dense, m.rows, m.cols, m.cols, 1};
  return true;
}

bool hasGemm(float) { return getBlas().sgemm; }
bool hasGemm(double) { return getBlas().dgemm; }

inline void callGemm(int order, int ta, int tb, int m, int n, int k,
                     const float *a, int lda, const float *b, int ldb,
                     float *c, int ldc) {
  getBlas().sgemm(order, ta, tb, m, n, k, 1.0f, a, lda, b, ldb, 1.0f, c, ldc);
}
inline void callGemm(int order, int ta, int tb, int m, int n, int k,
                     const double *a, int lda, const double *b, int ldb,
                     double *c, int ldc) {
  getBlas().dgemm(order, ta, tb, m, n, k, 1.0, a, lda, b, ldb, 1.0, c, ldc);
}

/// c += a * b, in plain loops (extents beyond BLAS's 32-bit integers, or
/// no BLAS library).
template <typename T>
void gemmLoops(const Matrix<T> &a, const Matrix<T> &b, const Matrix<T> &c) {
  for (int64_t i = 0; i < c.rows; ++i)
    for (int64_t p = 0; p < a.cols; ++p) {
      T x = a.data[i * a.rowStride + p * a.colStride];
      for (int64_t j = 0; j < c.cols; ++j)
        c.data[i * c.rowStride + j * c.colStride] +=
            x * b.data[p * b.rowStride + j * b.colStride];
    }
}

template <typename T>
void gemmSerial(Matrix<T> a, Matrix<T> b, const Matrix<T> &c) {
  int64_t m = c.rows, n = c.cols, k = a.cols;
  if (m == 0 || n == 0 || k == 0)
    return;
  BlasLayout la, lb, lc;
  if (!hasGemm(T()) || !fitsBlasInt(m) || !fitsBlasInt(n) || !fitsBlasInt(k) ||
      !getBlasLayout(c, lc) || !fitsBlasInt(lc.ld))
    return gemmLoops(a, b, c);
  Scratch aCopy, bCopy;
  if (!getBlasLayout(a, la) || !fitsBlasInt(la.ld)) {
    if (!packRowMajor(a, aCopy))
      return gemmLoops(a, b, c);
    la = {false, k};
  }
  if (!getBlasLayout(b, lb) || !fitsBlasInt(lb.ld)) {
    if (!packRowMajor(b, bCopy))
      return gemmLoops(a, b, c);
    lb = {false, n};
  }
  auto trans = [](bool t) { return t ? CblasTrans : CblasNoTrans; };
  // A column-major result is the row-major product read transposed: the
  // same call in column-major order, each operand's flag flipped.
  int order = lc.transposed ? CblasColMajor : CblasRowMajor;
  bool flip = lc.transposed;
  callGemm(order, trans(la.transposed != flip), trans(lb.transposed != flip),
           static_cast<int>(m), static_cast<int>(n), static_cast<int>(k),
           a.data, static_cast<int>(la.ld), b.data, static_cast<int>(lb.ld),
           c.data, static_cast<int>(lc.ld));
}

/// Products below this many multiply-adds (about 0.3 ms on one core: below it, a fork and join costs more than the second core gives) run on
/// the calling thread.
constexpr int64_t kParallelMultiplyAdds = int64_t(1) << 25;

/// Panels start at multiples of this many rows or columns, a multiple of
/// every BLAS kernel's register block: each element of the result is
/// computed by the same kernel code whatever the thread count, so results do
/// not depend on it.
constexpr int64_t kPanelAlignment = 64;

template <typename T> struct SplitProduct {
  Matrix<T> a, b, c;
  bool byRows;
  int64_t panel;
};

template <typename T> void runPanel(void *data) {
  auto *split = static_cast<SplitProduct<T> *>(data);
  int64_t begin = getBlas().threadNum() * split->panel;
  Matrix<T> a = split->a, b = split->b, c = split->c;
  int64_t extent = split->byRows ? c.rows : c.cols;
  if (begin >= extent)
    return;
  int64_t size = std::min(split->panel, extent - begin);
  if (split->byRows) {
    a = {a.data + begin * a.rowStride, size, a.cols, a.rowStride, a.colStride};
    c = {c.data + begin * c.rowStride, size, c.cols, c.rowStride, c.colStride};
  } else {
    b = {b.data + begin * b.colStride, b.rows, size, b.rowStride, b.colStride};
    c = {c.data + begin * c.colStride, c.rows, size, c.rowStride, c.colStride};
  }
  gemmSerial(a, b, c);
}

/// c += a * b, split into one panel of rows (or columns, whichever is
/// longer) per thread when the product is large.
template <typename T> void gemm(Matrix<T> a, Matrix<T> b, const Matrix<T> &c) {
  const Blas &blas = getBlas();
  int64_t threads = getNumThreads();
  int64_t m = c.rows, n = c.cols, k = a.cols;
  bool large = m > 0 && n > 0 && k > 0 &&
               m * n >= kParallelMultiplyAdds / k;
  if (!blas.parallel || threads < 2 || !large)
    return gemmSerial(a, b, c);
  bool byRows = m >= n;
  int64_t extent = byRows ? m : n;
  int64_t panel = (extent + threads - 1) / threads;
  panel = (panel + kPanelAlignment - 1) / kPanelAlignment * kPanelAlignment;
  int64_t panels = (extent + panel - 1) / panel;
  if (panels < 2)
    return gemmSerial(a, b, c);
  SplitProduct<T> split{a, b, c, byRows, panel};
  blas.parallel(&runPanel<T>, &split, static_cast<unsigned>(panels), 0);
}

template <typename T> Matrix<T> matrixOf(const StridedMemRef<T, 2> *m) {
  return {m->aligned + m->offset, m->sizes[0], m->sizes[1], m->strides[0],
          m->strides[1]};
}

template <typename T>
Matrix<T> matrixOf(const StridedMemRef<T, 3> *m, int64_t batch) {
  return {m->aligned + m->offset + batch * m->strides[0], m->sizes[1],
          m->sizes[2], m->strides[1], m->strides[2]};
}

template <typename T>
void batchGemm(StridedMemRef<T, 3> *a, StridedMemRef<T, 3> *b,
               StridedMemRef<T, 3> *c) {
  for (int64_t i = 0; i < c->sizes[0]; ++i)
    gemm(matrixOf(a, i), matrixOf(b, i), matrixOf(c, i));
}

} // namespace

void setBlasThreads(int threads) {
  if (!blasLoaded.load())
    return;
  const Blas &blas = getBlas();
  if (blas.setNumThreads)
    blas.setNumThreads(blas.parallel ? 1 : threads);
}

} // namespace vsla::rt

using vsla::rt::StridedMemRef;

extern "C" void _mlir_ciface___vsla_gemm_f32(StridedMemRef<float, 2> *a,
                                             StridedMemRef<float, 2> *b,
                                             StridedMemRef<float, 2> *c) {
  vsla::rt::gemm(vsla::rt::matrixOf(a), vsla::rt::matrixOf(b),
                 vsla::rt::matrixOf(c));
}

extern "C" void _mlir_ciface___vsla_gemm_f64(StridedMemRef<double, 2> *a,
                                             StridedMemRef<double, 2> *b,
                                             StridedMemRef<double, 2> *c) {
  vsla::rt::gemm(vsla::rt::matrixOf(a), vsla::rt::matrixOf(b),
                 vsla::rt::matrixOf(c));
}

extern "C" void
_mlir_ciface___vsla_batch_gemm_f32(StridedMemRef<float, 3> *a,
                                   StridedMemRef<float, 3> *b,
                                   StridedMemRef<float, 3> *c) {
  vsla::rt::batchGemm(a, b, c);
}

extern "C" void
_mlir_ciface___vsla_batch_gemm_f64(StridedMemRef<double, 3> *a,
                                   StridedMemRef<double, 3> *b,
                                   StridedMemRef<double, 3> *c) {
  vsla::rt::batchGemm(a, b, c);
}
