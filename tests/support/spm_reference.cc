#include "support/spm_reference.h"

#include <sentencepiece_processor.h>

namespace xval::testing {

struct SpmReference::Impl {
  sentencepiece::SentencePieceProcessor processor;
};

SpmReference::SpmReference() : impl_(std::make_unique<Impl>()) {}
SpmReference::~SpmReference() = default;

std::unique_ptr<SpmReference> SpmReference::Load(const std::string& path, std::string* error) {
  std::unique_ptr<SpmReference> ref(new SpmReference());
  const auto status = ref->impl_->processor.Load(path);
  if (!status.ok()) {
    *error = status.ToString();
    return nullptr;
  }
  return ref;
}

std::vector<int> SpmReference::Encode(const std::string& text) const {
  std::vector<int> ids;
  impl_->processor.Encode(text, &ids).IgnoreError();
  return ids;
}

std::vector<std::string> SpmReference::EncodePieces(const std::string& text) const {
  std::vector<std::string> pieces;
  impl_->processor.Encode(text, &pieces).IgnoreError();
  return pieces;
}

std::string SpmReference::Decode(const std::vector<int>& ids) const {
  std::string text;
  impl_->processor.Decode(ids, &text).IgnoreError();
  return text;
}

int SpmReference::vocab_size() const { return impl_->processor.GetPieceSize(); }

}  // namespace xval::testing
