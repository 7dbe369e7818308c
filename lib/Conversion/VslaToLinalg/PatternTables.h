//===- PatternTables.h - the lowering patterns, by family ------*- C++ -*-===//

#ifndef VSLA_CONVERSION_VSLATOLINALG_PATTERNTABLES_H
#define VSLA_CONVERSION_VSLATOLINALG_PATTERNTABLES_H

#include "mlir/IR/PatternMatch.h"

namespace mlir::vsla::lowering {

void populateAmbientPromotionPatterns(RewritePatternSet &patterns,
                                      bool guardedReads);
void populateElementwisePatterns(RewritePatternSet &patterns);
void populateLayoutPatterns(RewritePatternSet &patterns);
void populateReductionPatterns(RewritePatternSet &patterns);
void populateContractionPatterns(RewritePatternSet &patterns,
                                 bool useRuntimeFft);
void populateRunTimeCheckPatterns(RewritePatternSet &patterns);

/// Declares the runtime's check-failure function in the module of `root`
/// when `root` holds run-time checks to lower.
void declareCheckFailedFunction(Operation *root);

} // namespace mlir::vsla::lowering

#endif // VSLA_CONVERSION_VSLATOLINALG_PATTERNTABLES_H
