// Imported for its types only (cometkit/react, cometkit/vue).
