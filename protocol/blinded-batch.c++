#include "protocol/blinded-batch.h"

#include <cstring>

namespace entente::protocol {

std::vector<uint8_t> packPoints(std::span<const crypto::Point> points) {
  std::vector<uint8_t> bytes(points.size() * sizeof(crypto::Point));
  for (size_t i = 0; i < points.size(); ++i) {
    memcpy(bytes.data() + i * sizeof(crypto::Point), points[i].data(), sizeof(crypto::Point));
  }
  return bytes;
}

std::vector<crypto::Point> unpackPoints(std::span<const uint8_t> bytes) {
  if (bytes.size() % sizeof(crypto::Point) != 0) {
    throw SessionError("the partner sent a batch whose length is not a whole number of values");
  }
  std::vector<crypto::Point> points(bytes.size() / sizeof(crypto::Point));
  for (size_t i = 0; i < points.size(); ++i) {
    memcpy(points[i].data(), bytes.data() + i * sizeof(crypto::Point), sizeof(crypto::Point));
  }
  return points;
}

}  // namespace entente::protocol
