//===- Reductions.cpp - reductions and softmax ----------------------------===//

#include "PatternTables.h"

namespace mlir::vsla::lowering {
void populateReductionPatterns(RewritePatternSet &) {}
} // namespace mlir::vsla::lowering
