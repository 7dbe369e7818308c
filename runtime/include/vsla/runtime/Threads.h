//===- Threads.h - how many cores compiled code uses ------------*- C++ -*-===//
//
// One setting for every parallel part of the runtime and of compiled code
// (BLAS products, parallel loops): VSLA_NUM_THREADS when set, else every
// core the process may run on. Results do not depend on it.
//
//===----------------------------------------------------------------------===//

#ifndef VSLA_RUNTIME_THREADS_H
#define VSLA_RUNTIME_THREADS_H

#include <cstdint>

namespace vsla::rt {

/// The number of threads parallel work uses (at least 1).
int getNumThreads();

/// Sets it for the whole process (values below 1 mean 1).
void setNumThreads(int threads);

/// `name` from LLVM's OpenMP runtime (libomp, which runs compiled code's
/// parallel loops and is loaded with the compiler), or null while it is not
/// loaded. Not from the process's first definition: another OpenMP runtime
/// loaded earlier (PyTorch's libgomp) defines the same symbols but knows
/// nothing of libomp's threads.
void *findOpenMpSymbol(const char *name);

} // namespace vsla::rt

extern "C" {
/// getNumThreads() for compiled code.
int64_t __vsla_num_threads();
}

#endif // VSLA_RUNTIME_THREADS_H
