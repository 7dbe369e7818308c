//===- LinearIndex.h - a linear index as coordinates ------------*- C++ -*-===//
//
// Private to lib/Transforms: the GPU passes that give each thread one linear
// index recover its coordinates with unsigned division (the index and the
// extents are never negative; affine.delinearize_index lowers to signed
// floor division).
//
//===----------------------------------------------------------------------===//

#ifndef VSLA_LIB_TRANSFORMS_LINEARINDEX_H
#define VSLA_LIB_TRANSFORMS_LINEARINDEX_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/Builders.h"

namespace mlir::vsla {

/// `linear` split into coordinates of the given extents, the last fastest
/// (the first coordinate is not reduced modulo its extent).
inline SmallVector<Value> delinearizeIndex(OpBuilder &b, Location loc,
                                           Value linear,
                                           ArrayRef<Value> extents) {
  SmallVector<Value> coords(extents.size());
  for (int64_t i = static_cast<int64_t>(extents.size()) - 1; i >= 0; --i) {
    coords[i] = i == 0 ? linear
                       : arith::RemUIOp::create(b, loc, linear, extents[i]);
    if (i > 0)
      linear = arith::DivUIOp::create(b, loc, linear, extents[i]);
  }
  return coords;
}

} // namespace mlir::vsla

#endif // VSLA_LIB_TRANSFORMS_LINEARINDEX_H
