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
     * The most node memory one segment could ever have here, and what sets it.
     *
     * @param bytes the limit in bytes.
     * @param what  what sets it, for messages, such as {@code this machine's memory}.
     */
    record Capacity(long bytes, String what)
    {
    }

    /**
     * Returns the most one segment could ever hold on this node, so that a larger array is refused on every
     * rank before anything is allocated (free space is checked when a segment is made).
     *
     * @return the limit and what sets it.
     */
    Capacity capacity();

    /**
     * Returns this machine's physical memory, the limit of memory that is not in a file system; read once.
     *
     * @return the machine's memory, or {@link Long#MAX_VALUE} when the JVM cannot tell.
     */
    static Capacity machineMemory()
    {
        return MachineMemory.CAPACITY;
    }

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

    /** Holds the machine's memory, read when first needed (reading it looks at files of /proc). */
    final class MachineMemory
    {
        private static final Capacity CAPACITY = read();

        private MachineMemory()
        {
        }

        private static Capacity read()
        {
            final java.lang.management.OperatingSystemMXBean system =
                java.lang.management.ManagementFactory.getOperatingSystemMXBean();
            final long bytes = system instanceof com.sun.management.OperatingSystemMXBean ?
                ((com.sun.management.OperatingSystemMXBean)system).getTotalMemorySize() : Long.MAX_VALUE;
            return new Capacity(bytes > 0 ? bytes : Long.MAX_VALUE, "this machine's memory");
        }
    }
}
