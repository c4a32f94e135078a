// Page side of the e2e harness. Everything the driver does goes through window.rtc.
// There is no signalling server: the driver moves SDP and ICE candidates between pages.
// Important: watchRTC.init() must run before getUserMedia and before any RTCPeerConnection
// is created, because the SDK wraps those APIs at init time. So every function below looks
// the APIs up on window/navigator at call time.
'use strict';

(function () {
  const state = {
    localStream: null,
    pcs: {}, // remoteId -> RTCPeerConnection
    candidates: {}, // remoteId -> queued local ICE candidates (JSON) not yet taken by the driver
    stateLog: [], // [{remoteId, kind, state, t}]
    sdkEvents: [], // what the SDK reported through subscribe()/addStateListener()
    remoteTracks: {}, // remoteId -> [{kind, id}]
  };

  function setStatus(text) {
    const el = document.getElementById('status');
    if (el) el.textContent = text;
  }

  function sdkEvent(name, detail) {
    state.sdkEvents.push({ name, t: Date.now(), detail });
  }

  function describeError(err) {
    if (!err) return null;
    if (typeof err !== 'object') return { message: String(err) };
    return {
      name: err.name,
      message: err.message,
      errorCode: err.errorCode,
      socketStatus: err.socketStatus,
      authenticationStatus: err.authenticationStatus,
    };
  }

  function pcFor(remoteId) {
    const pc = state.pcs[remoteId];
    if (!pc) throw new Error('no RTCPeerConnection for ' + remoteId);
    return pc;
  }

  window.rtc = {
    /** watchRTC.init(config); config = {rtcApiKey, rtcRoomId, rtcPeerId, keys, proxyUrl, collectionInterval?, ...} */
    init(config) {
      if (!window.watchRTC) throw new Error('watchRTC SDK bundle not loaded');
      const events = ['onSocketConnect', 'onSocketDisconnect', 'onSocketError'];
      for (const name of events) {
        window.watchRTC.subscribe(name, (...args) =>
          sdkEvent(name, args.map((a) => (a instanceof Error ? describeError(a) : a))));
      }
      window.watchRTC.addStateListener((s) => sdkEvent('state', s));
      window.watchRTC.init(Object.assign({}, config));
      setStatus('sdk initialised');
      return { sessionId: window.watchRTCSessionId || null, agentId: window.watchRTCAgentId || null };
    },

    /** getUserMedia with the fake devices. Returns the local track labels. */
    async getMedia(constraints) {
      const stream = await navigator.mediaDevices.getUserMedia(constraints || { audio: true, video: true });
      state.localStream = stream;
      return window.rtc.localTracks();
    },

    localTracks() {
      const tracks = state.localStream ? state.localStream.getTracks() : [];
      const label = (kind) => {
        const t = tracks.find((x) => x.kind === kind);
        return t ? t.label : null;
      };
      return {
        audio: label('audio'),
        video: label('video'),
        tracks: tracks.map((t) => ({ kind: t.kind, id: t.id, label: t.label, readyState: t.readyState })),
      };
    },

    /** One RTCPeerConnection towards remoteId, with the local tracks added. */
    createPc(remoteId, configuration) {
      if (state.pcs[remoteId]) throw new Error('RTCPeerConnection for ' + remoteId + ' exists');
      const pc = new window.RTCPeerConnection(configuration || { iceServers: [] });
      state.pcs[remoteId] = pc;
      state.candidates[remoteId] = [];
      state.remoteTracks[remoteId] = [];
      pc.addEventListener('icecandidate', (e) => {
        if (e.candidate) state.candidates[remoteId].push(e.candidate.toJSON());
      });
      for (const kind of ['connectionState', 'iceConnectionState', 'signalingState']) {
        const ev = kind.toLowerCase() + 'change';
        pc.addEventListener(ev, () => state.stateLog.push({ remoteId, kind, state: pc[kind], t: Date.now() }));
      }
      pc.addEventListener('track', (e) => {
        state.remoteTracks[remoteId].push({ kind: e.track.kind, id: e.track.id });
        // Play what we receive (muted) so the receive pipeline is a realistic one.
        if (e.track.kind === 'video' && e.streams[0]) {
          const v = document.createElement('video');
          v.muted = true;
          v.autoplay = true;
          v.playsInline = true;
          v.srcObject = e.streams[0];
          document.getElementById('media').appendChild(v);
        }
      });
      if (state.localStream) {
        for (const track of state.localStream.getTracks()) pc.addTrack(track, state.localStream);
      }
      return true;
    },

    async createOffer(remoteId) {
      const pc = pcFor(remoteId);
      const offer = await pc.createOffer();
      await pc.setLocalDescription(offer);
      return { type: pc.localDescription.type, sdp: pc.localDescription.sdp };
    },

    async acceptOffer(remoteId, offer) {
      const pc = pcFor(remoteId);
      await pc.setRemoteDescription(offer);
      const answer = await pc.createAnswer();
      await pc.setLocalDescription(answer);
      return { type: pc.localDescription.type, sdp: pc.localDescription.sdp };
    },

    async acceptAnswer(remoteId, answer) {
      await pcFor(remoteId).setRemoteDescription(answer);
      return true;
    },

    /** Drains the local ICE candidates gathered for remoteId since the last call. */
    takeCandidates(remoteId) {
      const list = state.candidates[remoteId] || [];
      state.candidates[remoteId] = [];
      return list;
    },

    async addCandidates(remoteId, list) {
      const pc = pcFor(remoteId);
      for (const c of list) await pc.addIceCandidate(c);
      return list.length;
    },

    states() {
      const out = {};
      for (const [remoteId, pc] of Object.entries(state.pcs)) {
        out[remoteId] = {
          connectionState: pc.connectionState,
          iceConnectionState: pc.iceConnectionState,
          signalingState: pc.signalingState,
        };
      }
      return out;
    },

    /**
     * The selected ICE candidate pair of every RTCPeerConnection, from its own getStats():
     * remoteId -> {state, localCandidateType, localProtocol, relayProtocol, url,
     *              remoteCandidateType, currentRoundTripTime} (null before a pair is selected).
     */
    async selectedPairs() {
      const out = {};
      for (const [remoteId, pc] of Object.entries(state.pcs)) {
        out[remoteId] = null;
        if (pc.signalingState === 'closed') continue;
        const stats = await pc.getStats();
        let pair = null;
        stats.forEach((r) => {
          if (r.type === 'transport' && r.selectedCandidatePairId) pair = stats.get(r.selectedCandidatePairId);
        });
        if (!pair) continue;
        const local = stats.get(pair.localCandidateId) || {};
        const remote = stats.get(pair.remoteCandidateId) || {};
        out[remoteId] = {
          state: pair.state,
          localCandidateType: local.candidateType,
          localProtocol: local.protocol,
          relayProtocol: local.relayProtocol,
          url: local.url,
          localAddress: local.address,
          remoteCandidateType: remote.candidateType,
          remoteAddress: remote.address,
          currentRoundTripTime: pair.currentRoundTripTime,
        };
      }
      return out;
    },

    /** Closes the RTCPeerConnection(s): the SDK sends a 'close' tuple for each. */
    hangup(remoteIds) {
      const ids = remoteIds || Object.keys(state.pcs);
      for (const id of ids) {
        const pc = state.pcs[id];
        if (pc && pc.signalingState !== 'closed') pc.close();
      }
      setStatus('hung up');
      return ids;
    },

    stopMedia() {
      if (state.localStream) for (const t of state.localStream.getTracks()) t.stop();
      return true;
    },

    /** watchRTC.disconnect(): the SDK flushes its buffer and closes the socket (1000) at once. */
    disconnect() {
      window.watchRTC.disconnect();
      return true;
    },

    /**
     * A call on the persistent ("nail-up") connection: the SDK takes a new sessionId, and
     * connects for room and peer while the page's RTCPeerConnections stay as they are.
     */
    persistentStart(roomId, peerId) {
      window.watchRTC.persistentStart(roomId, peerId);
      return window.watchRTCSessionId || null;
    },

    /** Ends that call: the SDK sends nailUpCallEnd and closes its socket (1000). */
    persistentEnd(nailUpCallEnd) {
      window.watchRTC.persistentEnd(nailUpCallEnd);
      return true;
    },

    /** Extra SDK calls, for recordings that exercise more message types. */
    addKeys(keys) { return window.watchRTC.addKeys(keys) || null; },
    addEvent(event) { return window.watchRTC.addEvent(event) || null; },
    setUserRating(rating, comment) { return window.watchRTC.setUserRating(rating, comment); },
    mapTrack(id, name) { window.watchRTC.mapTrack(id, name); return true; },

    sdkEvents() { return state.sdkEvents.slice(); },
    stateLog() { return state.stateLog.slice(); },

    info() {
      return {
        userAgent: navigator.userAgent,
        // Defined (before the SDK loaded) only on pages opened with ?mozRTCPeerConnection.
        mozRTCPeerConnection: typeof window.mozRTCPeerConnection === 'function',
        sessionId: window.watchRTCSessionId || null,
        localTracks: window.rtc.localTracks(),
        remoteTracks: state.remoteTracks,
        states: window.rtc.states(),
        sdkEvents: state.sdkEvents.slice(),
      };
    },
  };
})();
