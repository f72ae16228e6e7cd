package org.pshmem.api;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A part of node memory read and written through accessors that say their memory ordering, in the manner of
 * Agrona's {@code AtomicBuffer}: {@code get}/{@code put} are plain, {@code getLongVolatile}/{@code putLongVolatile}
 * are sequentially consistent, {@code putLongOrdered} is a release store (seen after every earlier write by a
 * rank that reads it volatile), and {@code compareAndSetLong}/{@code getAndAddLong}/{@code getAndSetLong} are
 * atomic across the processes that map the memory. Offsets are in bytes from the start of the part; atomic
 * accessors need offsets aligned to the value's size, plain ones do not. Every access is bounds-checked.
 *
 * <p>The layout classes ({@link ArenaLayout} and the others) own the offsets; this class knows none.
 */
final class NodeBuffer
{
    private static final VarHandle LONGS = MethodHandles.byteBufferViewVarHandle(long[].class, ByteOrder.nativeOrder());
    private static final VarHandle INTS = MethodHandles.byteBufferViewVarHandle(int[].class, ByteOrder.nativeOrder());
    private static final int ZEROS_BYTES = 4096;
    private static final byte[] ZEROS = new byte[ZEROS_BYTES];

    private final ByteBuffer buffer;

    /**
     * @param buffer direct memory, seen from its position 0 to its capacity; not changed by this class.
     */
    NodeBuffer(final ByteBuffer buffer)
    {
        this.buffer = buffer.duplicate().order(ByteOrder.nativeOrder()).clear();
    }

    /** @return the bytes this buffer spans. */
    int capacity()
    {
        return buffer.capacity();
    }

    /** @return a new buffer over {@code length} bytes from {@code offset}, native order, positioned at 0. */
    ByteBuffer slice(final int offset, final int length)
    {
        return buffer.slice(offset, length).order(ByteOrder.nativeOrder());
    }

    long getLong(final int offset)
    {
        return buffer.getLong(offset);
    }

    void putLong(final int offset, final long value)
    {
        buffer.putLong(offset, value);
    }

    int getInt(final int offset)
    {
        return buffer.getInt(offset);
    }

    void putInt(final int offset, final int value)
    {
        buffer.putInt(offset, value);
    }

    long getLongVolatile(final int offset)
    {
        return (long)LONGS.getVolatile(buffer, offset);
    }

    void putLongVolatile(final int offset, final long value)
    {
        LONGS.setVolatile(buffer, offset, value);
    }

    /** Release store: every write before it is seen by a rank that reads this value volatile. */
    void putLongOrdered(final int offset, final long value)
    {
        LONGS.setRelease(buffer, offset, value);
    }

    boolean compareAndSetLong(final int offset, final long expected, final long value)
    {
        return LONGS.compareAndSet(buffer, offset, expected, value);
    }

    long getAndAddLong(final int offset, final long delta)
    {
        return (long)LONGS.getAndAdd(buffer, offset, delta);
    }

    long getAndSetLong(final int offset, final long value)
    {
        return (long)LONGS.getAndSet(buffer, offset, value);
    }

    long getAndBitwiseOrLong(final int offset, final long bits)
    {
        return (long)LONGS.getAndBitwiseOr(buffer, offset, bits);
    }

    int getIntVolatile(final int offset)
    {
        return (int)INTS.getVolatile(buffer, offset);
    }

    void putIntOrdered(final int offset, final int value)
    {
        INTS.setRelease(buffer, offset, value);
    }

    boolean compareAndSetInt(final int offset, final int expected, final int value)
    {
        return INTS.compareAndSet(buffer, offset, expected, value);
    }

    /** Plain writes of zeros over {@code length} bytes from {@code offset}. */
    void setZeros(final int offset, final int length)
    {
        int done = 0;
        while (done < length)
        {
            final int count = Math.min(ZEROS_BYTES, length - done);
            buffer.put(offset + done, ZEROS, 0, count);
            done += count;
        }
    }
}
