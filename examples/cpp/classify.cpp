// classify MODEL.vsla IMAGES.npy [LOGITS.npy]
//
// Runs an exported classifier (e.g. the digits MLP of
// examples/train_digits.py) on a batch of images read from a .npy file and
// prints the predicted class of each; the logits go to LOGITS.npy if given.
// Any batch size: the artifact is shape-polymorphic.

#include "vsla/Runtime.h"

#include <cstdio>

int main(int argc, char **argv) {
  if (argc < 3 || argc > 4) {
    std::fprintf(stderr, "usage: classify MODEL.vsla IMAGES.npy [LOGITS.npy]\n");
    return 2;
  }
  auto model = vsla::Model::load(argv[1]);
  if (!model.ok()) {
    std::fprintf(stderr, "classify: %s\n", model.getStatus().toString().c_str());
    return 1;
  }
  auto images = vsla::rt::readNpy(argv[2]);
  if (!images.ok()) {
    std::fprintf(stderr, "classify: %s\n", images.getStatus().toString().c_str());
    return 1;
  }
  auto logits = model->call(
      {{images->elementType, images->data.get(), images->shape}});
  if (!logits.ok()) {
    std::fprintf(stderr, "classify: %s\n", logits.getStatus().toString().c_str());
    return 1;
  }
  const vsla::HostTensor &out = logits->front();
  std::vector<int64_t> shape = out.getShape();
  if (shape.size() != 2 || out.getDescriptor().getElementType() !=
                               vsla::ElementType::F32) {
    std::fprintf(stderr, "classify: the model returns no [batch, classes] f32 "
                         "logits\n");
    return 1;
  }
  const float *values = out.data<float>();
  for (int64_t row = 0; row < shape[0]; ++row) {
    int64_t best = 0;
    for (int64_t c = 1; c < shape[1]; ++c)
      if (values[row * shape[1] + c] > values[row * shape[1] + best])
        best = c;
    std::printf("%lld\n", static_cast<long long>(best));
  }
  if (argc == 4)
    if (vsla::Status status = vsla::rt::writeNpy(argv[3], out.getDescriptor());
        !status.ok()) {
      std::fprintf(stderr, "classify: %s\n", status.toString().c_str());
      return 1;
    }
  return 0;
}
