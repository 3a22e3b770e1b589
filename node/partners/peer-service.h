// Pairing and partner management on the control socket: invitations, accepting one
// (which connects to the inviter to complete the pairing), listing and showing peers
// with their fingerprints and safety numbers, policy changes and revocation. Each
// action is logged under the name of the token that asked for it.
#pragma once

#include "node/server/node-context.h"
#include "protocol/control.capnp.h"
#include "storage/peer-store.h"

#include <string>

namespace entente::node {

using Session = protocol::control::ControlSession;
// The call contexts of the control session's methods (the generated names are protected).
template <typename Params, typename Results>
using Call = capnp::CallContext<Params, Results>;
using InvitePeerCall = Call<Session::InvitePeerParams, Session::InvitePeerResults>;
using AcceptPeerCall = Call<Session::AcceptPeerParams, Session::AcceptPeerResults>;
using ListPeersCall = Call<Session::ListPeersParams, Session::ListPeersResults>;
using ShowPeerCall = Call<Session::ShowPeerParams, Session::ShowPeerResults>;
using SetPolicyCall = Call<Session::SetPolicyParams, Session::SetPolicyResults>;
using RevokePeerCall = Call<Session::RevokePeerParams, Session::RevokePeerResults>;
using RemovePeerCall = Call<Session::RemovePeerParams, Session::RemovePeerResults>;

void invitePeer(NodeContext& context, const std::string& actor, InvitePeerCall call);
kj::Promise<void> acceptPeer(NodeContext& context, const std::string& actor, AcceptPeerCall call);
void listPeers(NodeContext& context, ListPeersCall call);
void showPeer(NodeContext& context, ShowPeerCall call);
void setPolicy(NodeContext& context, const std::string& actor, SetPolicyCall call);
void revokePeer(NodeContext& context, const std::string& actor, RevokePeerCall call);
void removePeer(NodeContext& context, const std::string& actor, RemovePeerCall call);

// The inviter's side of a pairing, called by the partner service on a pairing
// connection. Returns the name under which the new peer was stored.
std::string completePairing(NodeContext& context, const std::string& remote, const crypto::PublicKey& peerKey,
                            const std::string& secret, const std::string& nodeName, const std::string& address);

}  // namespace entente::node
