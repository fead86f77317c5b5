// The chunked spec finder lives in core (the CLI's `specs` command uses it too); re-exported for the editor.
export * from '../core/spaces/chunkedSpecs';
