//===- LayoutOps.cpp - shape and layout ops -------------------------------===//

#include "PatternTables.h"

namespace mlir::vsla::lowering {
void populateLayoutPatterns(RewritePatternSet &) {}
} // namespace mlir::vsla::lowering
