package org.pshmem.spi;

import java.nio.ByteBuffer;

/**
 * One rank's mapping of a node's shared memory, seen as consecutive windows of {@code 1 << windowShift()}
 * bytes (the last may be shorter). Windows are direct buffers in native byte order over the same memory on
 * every rank of the node; writes through one are seen through all after a node barrier.
 */
public interface NodeSegment extends AutoCloseable
{
    /**
     * @return size in bytes.
     */
    long byteSize();

    /**
     * @return opaque description that lets another rank of the node attach.
     */
    byte[] handle();

    /**
     * Called on the creator once every rank of the node has attached; a transport may, for example,
     * remove the segment's name so the memory goes away with the last process.
     */
    void allAttached();

    /**
     * @return log2 of the window size; at least 3, so no element straddles two windows.
     */
    int windowShift();

    /**
     * @return number of windows.
     */
    int windowCount();

    /**
     * @param index window index.
     * @return the window, positioned at 0, native byte order.
     */
    ByteBuffer window(int index);

    /**
     * @return the control part: a direct buffer in native byte order, 64-byte aligned, zero-filled at creation,
     * over the same memory on every rank of the node; it supports atomic operations through
     * {@link java.lang.invoke.MethodHandles#byteBufferViewVarHandle}.
     */
    ByteBuffer control();

    /**
     * Lets go of this rank's hold on the memory at once, with no help from the garbage collector: once every
     * rank of the node has closed its segment, the node's memory is free (tmpfs pages, native memory). A
     * buffer obtained from {@link #window(int)} or {@link #control()}, or derived from one, never touches
     * freed memory and never sees another segment's data: at the latest once every rank of the node has
     * closed, reading it throws {@link IllegalStateException} on Java 22 and later (see {@link ArenaMemory})
     * and reads zeros on Java 17 to 21. What stays after close is at most an empty address range, which goes
     * once no such buffer is reachable; a transport may also keep a small block on which no buffer escaped
     * ({@link #closeNow()} on every rank), zeroed, for its next segment. Idempotent.
     */
    @Override
    void close();

    /**
     * The same as {@link #close()}, when the caller guarantees that no buffer obtained from this segment is
     * used again, so the address range may go at once too. Idempotent.
     */
    void closeNow();
}
