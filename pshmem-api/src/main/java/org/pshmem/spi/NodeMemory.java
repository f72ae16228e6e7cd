package org.pshmem.spi;

/**
 * Memory shared by the ranks of one node. The API calls {@link #create(long, String)} on one rank of a node
 * group, sends the segment's {@link NodeSegment#handle()} to the others, which {@link #attach(byte[], long)}
 * it, then calls {@link NodeSegment#allAttached()} on the creator once all of them have.
 */
public interface NodeMemory
{
    /**
     * Creates a zero-filled segment.
     *
     * @param byteSize size in bytes, zero or more.
     * @param label    short text naming the node and array, for diagnostics.
     * @return the segment, owned by the caller.
     */
    NodeSegment create(long byteSize, String label);

    /**
     * Maps a segment created by another rank of the same node.
     *
     * @param handle   the creator's {@link NodeSegment#handle()}.
     * @param byteSize the size the creator was asked for.
     * @return the segment, owned by the caller.
     */
    NodeSegment attach(byte[] handle, long byteSize);
}
