//===- ObjectLoader.h - loading relocatable object code ---------*- C++ -*-===//
//
// The runtime's own loader of the code in an artifact: an ELF64 x86-64
// relocatable object as LLVM emits it (position-independent, small code
// model). Its sections are laid out in one mapping (code read-only and
// executable, data writable), relocations applied, references to the
// runtime resolved through a symbol table the caller gives (then the
// process's own symbols: libc, libm, LLVM's OpenMP runtime), and its global
// symbols looked up by name. No linker, no dlopen of a file on disk. Every
// offset, index and size read from the object is checked: a malformed
// object is an error, never a crash.
//
//===----------------------------------------------------------------------===//

#ifndef VSLA_RUNTIME_OBJECTLOADER_H
#define VSLA_RUNTIME_OBJECTLOADER_H

#include "vsla/runtime/Status.h"

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

namespace vsla::rt {

/// The address of symbol `name` outside the object, or null when unknown.
using SymbolResolver = std::function<void *(const std::string &name)>;

class LoadedObject {
public:
  ~LoadedObject();
  LoadedObject(const LoadedObject &) = delete;
  LoadedObject &operator=(const LoadedObject &) = delete;

  /// The address of global symbol `name` defined by the object, or null.
  void *lookup(const std::string &name) const;

  /// Loads `size` bytes of object code (copied; the bytes may be freed
  /// afterwards), resolves its undefined symbols with `resolve`, then with
  /// the process's symbols, and runs its initializers (unless
  /// `runInitializers` is false: a fuzzer loads code it must not run).
  static StatusOr<std::unique_ptr<LoadedObject>>
  load(const void *data, size_t size, const SymbolResolver &resolve,
       bool runInitializers = true);

private:
  LoadedObject() = default;
  /// The finalizers (.fini_array) to run, in order, when the object goes.
  std::vector<void (*)()> finalizers;
  void *mapping = nullptr;
  size_t mappingSize = 0;
  std::unordered_map<std::string, void *> symbols;
};

/// The runtime functions compiled code calls (allocation through the buffer
/// pool, strided copies, run-time check failures, the thread count, BLAS
/// products and FFT convolutions), by symbol name; null for another name.
/// Names that LLVM's OpenMP runtime defines load it first.
void *resolveRuntimeSymbol(const std::string &name);

/// Every name resolveRuntimeSymbol knows besides OpenMP's, for a JIT to
/// register.
const std::unordered_map<std::string, void *> &getRuntimeSymbols();

/// Loads LLVM's OpenMP runtime (libomp), whose __kmpc_* entry points the
/// parallel loops of compiled code call, into the process's global scope:
/// from $VSLA_OPENMP_LIBRARY, else by soname, else beside the binary that
/// holds the runtime (or in its ../lib), else from where the build found
/// it. Returns whether it is loaded.
bool loadOpenMpRuntime();

} // namespace vsla::rt

#endif // VSLA_RUNTIME_OBJECTLOADER_H
