package org.pshmem.spi;

/**
 * Memory shared by the ranks of one node. The API calls {@link #create(long, int, String)} on one rank of a
 * node group, sends the segment's {@link NodeSegment#handle()} to the others, which
 * {@link #attach(byte[], long, int)} it, then calls {@link NodeSegment#allAttached()} on the creator once all
 * of them have. A segment has a data part, seen as windows, and a small control part that the API uses for
 * synchronisation inside the node (with atomic operations on it).
 */
public interface NodeMemory
{
    /**
     * Creates a zero-filled segment.
     *
     * @param byteSize     size of the data part in bytes, zero or more.
     * @param controlBytes size of the control part in bytes, a multiple of 64.
     * @param label        short text naming the node and array, for diagnostics.
     * @return the segment, owned by the caller.
     */
    NodeSegment create(long byteSize, int controlBytes, String label);

    /**
     * Maps a segment created by another rank of the same node.
     *
     * @param handle       the creator's {@link NodeSegment#handle()}.
     * @param byteSize     the data size the creator was asked for.
     * @param controlBytes the control size the creator was asked for.
     * @return the segment, owned by the caller.
     */
    NodeSegment attach(byte[] handle, long byteSize, int controlBytes);
}
