# The records a node keeps in its LMDB store. Each is stored in canonical form (one
# segment, no segment table) and read in place from the memory map.
@0xc7d1e3a0b5f49a21;

$import "/capnp/c++.capnp".namespace("entente::storage::schema");

struct Attribute {
  # A column of the customer file that is not one of the canonical ones (segment,
  # income band, interests, ...), kept under its column name.
  name @0 :Text;
  value @1 :Text;
}

struct Identifier {
  # A normalised identifier. `kind` is opaque to storage (crypto/identifier.h defines
  # the values); the pair is also a key of the identifier index.
  kind @0 :UInt8;
  value @1 :Text;
}

struct Customer {
  customerId @0 :Text;      # the firm's own id, as imported
  email @1 :Text;           # canonical contact and profile fields, as imported
  phone @2 :Text;
  firstName @3 :Text;
  lastName @4 :Text;
  birthDate @5 :Text;       # normalised to YYYY-MM-DD when given
  postalCode @6 :Text;
  country @7 :Text;         # ISO 3166-1 alpha-2 when given
  attributes @8 :List(Attribute);
  identifiers @9 :List(Identifier);
}

struct Peer {
  name @0 :Text;
  address @1 :Text;         # host:port of its partner endpoint
  addedAtUnix @2 :Int64;
}
