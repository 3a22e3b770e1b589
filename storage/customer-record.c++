#include "storage/customer-record.h"

#include "storage/compact-codec.h"
#include "storage/terms.h"

#include <cstring>

namespace entente::storage {
namespace {

constexpr const char* kWhat = "customer record";

// How an identifier is kept: its own bytes, a reference to a field it equals, or its
// own first part followed by the birth date, postal code and country fields, joined
// by 0x1f (what a name_dob_postal identifier of clean fields is). Kept in the low two
// bits of the byte whose other bits are the identifier's kind.
enum IdentifierSource : uint8_t { LITERAL = 0, SAME_AS_EMAIL = 1, SAME_AS_PHONE = 2, THEN_FIELDS = 3 };
constexpr char kPartSeparator = '\x1f';

std::string fieldsSuffix(std::string_view birthDate, std::string_view postalCode, std::string_view country) {
  std::string suffix;
  for (auto part : {birthDate, postalCode, country}) {
    suffix += kPartSeparator;
    suffix += part;
  }
  return suffix;
}
constexpr uint8_t kSpecialCategory = 1;

std::string_view view(capnp::Text::Reader t) { return {t.cStr(), t.size()}; }

}  // namespace

std::string encodeCustomer(Transaction& txn, schema::Customer::Reader c) {
  CompactWriter w;
  for (auto field : {c.getCustomerId(), c.getEmail(), c.getPhone(), c.getFirstName(), c.getLastName(),
                     c.getBirthDate(), c.getPostalCode(), c.getCountry()}) {
    w.text(view(field));
  }
  w.unsignedNumber(c.getAttributes().size());
  for (auto a : c.getAttributes()) {
    writeTerm(txn, w, view(a.getName()));
    w.byte(a.getSpecialCategory() ? kSpecialCategory : 0);
    w.text(view(a.getValue()));
  }
  w.unsignedNumber(c.getIdentifiers().size());
  std::string suffix = fieldsSuffix(view(c.getBirthDate()), view(c.getPostalCode()), view(c.getCountry()));
  for (auto id : c.getIdentifiers()) {
    if (id.getKind() > 0x3F) throw StoreError("an identifier kind above 63 cannot be stored");
    uint8_t kind = static_cast<uint8_t>(id.getKind() << 2);
    std::string_view value = view(id.getValue());
    if (!value.empty() && value == view(c.getEmail())) {
      w.byte(kind | SAME_AS_EMAIL);
    } else if (!value.empty() && value == view(c.getPhone())) {
      w.byte(kind | SAME_AS_PHONE);
    } else if (value.size() > suffix.size() && value.ends_with(suffix)) {
      w.byte(kind | THEN_FIELDS);
      w.text(value.substr(0, value.size() - suffix.size()));
    } else {
      w.byte(kind | LITERAL);
      w.text(value);
    }
  }
  return w.bytes();
}

CustomerRecord::CustomerRecord(const Transaction& txn, Bytes stored) {
  if (!isCompact(stored)) {
    canonical_.emplace(stored);
    return;
  }
  CompactReader r(stored, kWhat);
  // Texts take at most their bytes plus a word of padding each: twice the stored
  // size is room for the whole record in the first segment.
  decoded_.emplace(static_cast<unsigned>(stored.size() / 4 + 32));
  auto c = decoded_->initRoot<schema::Customer>();
  // Texts are copied into space of their size: the stored bytes have no NUL, which a
  // capnp::Text::Reader over them would need.
  auto text = [&](auto init) {
    auto t = r.text();
    auto b = init(static_cast<unsigned>(t.size()));
    if (!t.empty()) std::memcpy(b.begin(), t.data(), t.size());
  };
  text([&](unsigned n) { return c.initCustomerId(n); });
  text([&](unsigned n) { return c.initEmail(n); });
  text([&](unsigned n) { return c.initPhone(n); });
  text([&](unsigned n) { return c.initFirstName(n); });
  text([&](unsigned n) { return c.initLastName(n); });
  text([&](unsigned n) { return c.initBirthDate(n); });
  text([&](unsigned n) { return c.initPostalCode(n); });
  text([&](unsigned n) { return c.initCountry(n); });
  auto attributes = c.initAttributes(static_cast<unsigned>(r.count(3)));
  for (auto a : attributes) {
    auto name = readTerm(txn, r);
    auto b = a.initName(static_cast<unsigned>(name.size()));
    if (!name.empty()) std::memcpy(b.begin(), name.data(), name.size());
    a.setSpecialCategory((r.byte() & kSpecialCategory) != 0);
    text([&](unsigned n) { return a.initValue(n); });
  }
  auto identifiers = c.initIdentifiers(static_cast<unsigned>(r.count(1)));
  for (auto id : identifiers) {
    uint8_t kindAndSource = r.byte();
    id.setKind(kindAndSource >> 2);
    switch (kindAndSource & 3) {
      case LITERAL: text([&](unsigned n) { return id.initValue(n); }); break;
      case SAME_AS_EMAIL: id.setValue(c.getEmail().asReader()); break;
      case SAME_AS_PHONE: id.setValue(c.getPhone().asReader()); break;
      case THEN_FIELDS: {
        auto head = r.text();
        std::string value(head);
        value += fieldsSuffix(view(c.getBirthDate().asReader()), view(c.getPostalCode().asReader()),
                              view(c.getCountry().asReader()));
        id.setValue(value);
        break;
      }
    }
  }
  if (!r.done()) r.damaged();
}

schema::Customer::Reader CustomerRecord::get() {
  if (canonical_) return canonical_->get();
  return decoded_->getRoot<schema::Customer>().asReader();
}

StoredIdentifiers::StoredIdentifiers(Bytes stored) {
  if (!isCompact(stored)) {
    canonical_.emplace(stored);
    return;
  }
  auto& r = compact_.emplace(stored, kWhat);
  r.text();  // customer_id
  email_ = r.text();
  phone_ = r.text();
  r.text();  // first name
  r.text();  // last name
  birthDate_ = r.text();
  postalCode_ = r.text();
  country_ = r.text();
  // Attributes are skipped as written: a name's term number is not looked up.
  for (uint64_t n = r.count(3); n > 0; --n) {
    if (r.unsignedNumber() == 0) r.text();
    r.byte();
    r.text();
  }
  left_ = r.count(1);
}

bool StoredIdentifiers::next(uint8_t& kind, std::string_view& value) {
  if (canonical_) {
    auto identifiers = canonical_->get().getIdentifiers();
    if (nextCanonical_ >= identifiers.size()) return false;
    auto id = identifiers[nextCanonical_++];
    kind = static_cast<uint8_t>(id.getKind());
    value = view(id.getValue());
    return true;
  }
  auto& r = *compact_;
  if (left_ == 0) {
    if (!r.done()) r.damaged();
    return false;
  }
  --left_;
  uint8_t kindAndSource = r.byte();
  kind = kindAndSource >> 2;
  switch (kindAndSource & 3) {
    case LITERAL: value = r.text(); break;
    case SAME_AS_EMAIL: value = email_; break;
    case SAME_AS_PHONE: value = phone_; break;
    case THEN_FIELDS:
      joined_ = r.text();
      joined_ += fieldsSuffix(birthDate_, postalCode_, country_);
      value = joined_;
      break;
  }
  return true;
}

}  // namespace entente::storage
