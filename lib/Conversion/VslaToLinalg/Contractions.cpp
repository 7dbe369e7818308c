//===- Contractions.cpp - matmul, conv and kron ---------------------------===//

#include "PatternTables.h"

namespace mlir::vsla::lowering {
void populateContractionPatterns(RewritePatternSet &) {}
} // namespace mlir::vsla::lowering
