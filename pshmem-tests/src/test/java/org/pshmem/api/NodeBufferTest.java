package org.pshmem.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;
import org.pshmem.local.LocalJob;

/** The named accessors over node memory, and the header every layout starts with. */
class NodeBufferTest
{
    private static final LayoutHeader HEADER = new LayoutHeader(0x5445_5354_4C41_594FL, 3, "a test structure");

    private static NodeBuffer buffer(final int bytes)
    {
        return new NodeBuffer(ByteBuffer.allocateDirect(bytes));
    }

    @Test
    void plainVolatileAndOrderedAccessorsReadBackWhatWasWritten()
    {
        final NodeBuffer buffer = buffer(64);
        buffer.putLong(0, -5);
        buffer.putLongVolatile(8, Long.MAX_VALUE);
        buffer.putLongOrdered(16, 42);
        buffer.putInt(24, 7);
        buffer.putIntOrdered(28, -9);
        assertEquals(-5, buffer.getLongVolatile(0));
        assertEquals(Long.MAX_VALUE, buffer.getLong(8));
        assertEquals(42, buffer.getLongVolatile(16));
        assertEquals(7, buffer.getIntVolatile(24));
        assertEquals(-9, buffer.getInt(28));
        assertEquals(64, buffer.capacity());
    }

    @Test
    void atomicsReturnWhatWasThere()
    {
        final NodeBuffer buffer = buffer(16);
        assertTrue(buffer.compareAndSetLong(0, 0, 10));
        assertFalse(buffer.compareAndSetLong(0, 0, 11));
        assertEquals(10, buffer.getAndAddLong(0, 5));
        assertEquals(15, buffer.getAndSetLong(0, 0b100));
        assertEquals(0b100, buffer.getAndBitwiseOrLong(0, 0b011));
        assertEquals(0b111, buffer.getLong(0));
        assertTrue(buffer.compareAndSetInt(8, 0, 3));
        assertFalse(buffer.compareAndSetInt(8, 0, 4));
        assertEquals(3, buffer.getIntVolatile(8));
    }

    @Test
    void valuesAreInNativeOrderWhateverTheOrderGiven()
    {
        final ByteBuffer memory = ByteBuffer.allocateDirect(8).order(ByteOrder.BIG_ENDIAN);
        new NodeBuffer(memory).putLong(0, 0x0102_0304_0506_0708L);
        assertEquals(0x0102_0304_0506_0708L, memory.order(ByteOrder.nativeOrder()).getLong(0));
    }

    @Test
    void offsetsCountFromTheStartWhateverThePositionAndTheGivenBufferIsNotMoved()
    {
        final ByteBuffer memory = ByteBuffer.allocateDirect(32);
        memory.position(8).limit(16);
        final NodeBuffer buffer = new NodeBuffer(memory);
        buffer.putLong(24, 1);
        assertEquals(32, buffer.capacity());
        assertEquals(8, memory.position());
        assertEquals(16, memory.limit());
        assertEquals(1, memory.duplicate().clear().order(ByteOrder.nativeOrder()).getLong(24));
    }

    @Test
    void everyAccessIsBoundsChecked()
    {
        final NodeBuffer buffer = buffer(16);
        assertThrows(IndexOutOfBoundsException.class, () -> buffer.getLong(16));
        assertThrows(IndexOutOfBoundsException.class, () -> buffer.putLongOrdered(16, 1));
        assertThrows(IndexOutOfBoundsException.class, () -> buffer.compareAndSetLong(-8, 0, 1));
        assertThrows(IndexOutOfBoundsException.class, () -> buffer.setZeros(8, 9));
    }

    @Test
    void atomicsRefuseMisalignedOffsets()
    {
        final NodeBuffer buffer = buffer(32);
        assertThrows(IllegalStateException.class, () -> buffer.compareAndSetLong(4, 0, 1));
    }

    @Test
    void setZerosClearsOnlyItsBytesAcrossManyChunks()
    {
        final int bytes = 10_000;
        final NodeBuffer buffer = buffer(bytes + 16);
        for (int at = 0; at < bytes + 16; at += 8)
        {
            buffer.putLong(at, -1);
        }
        buffer.setZeros(8, bytes);
        assertEquals(-1, buffer.getLong(0));
        for (int at = 8; at < 8 + bytes; at += 8)
        {
            assertEquals(0, buffer.getLong(at), "at " + at);
        }
        assertEquals(-1, buffer.getLong(8 + bytes));
    }

    @Test
    void aSliceSharesTheMemory()
    {
        final NodeBuffer buffer = buffer(32);
        final ByteBuffer slice = buffer.slice(8, 16);
        slice.putLong(0, 99);
        assertEquals(99, buffer.getLong(8));
        assertEquals(16, slice.capacity());
        assertEquals(ByteOrder.nativeOrder(), slice.order());
    }

    @Test
    void getAndAddIsAtomicAcrossRanks()
    {
        final NodeBuffer buffer = buffer(8);
        final AtomicLong mine = new AtomicLong();
        LocalJob.run(4, world ->
        {
            for (int i = 0; i < 10_000; i++)
            {
                buffer.getAndAddLong(0, 1);
            }
            mine.incrementAndGet();
        });
        assertEquals(4, mine.get());
        assertEquals(40_000, buffer.getLongVolatile(0));
    }

    @Test
    void aStampedHeaderPasses()
    {
        final NodeBuffer buffer = buffer(64);
        HEADER.stamp(buffer, 16);
        assertNull(HEADER.problem(buffer, 16));
        assertEquals(HEADER.magic(), buffer.getLong(16));
        assertEquals(HEADER.version(), buffer.getInt(24));
        assertArrayEquals(new long[] {0, 0}, new long[] {buffer.getLong(0), buffer.getLong(8)}, "nothing before it");
    }

    @Test
    void memoryNotStampedIsNamedWithItsMagic()
    {
        assertEquals("the node memory attached as a test structure does not start with its magic number " +
            "0x544553544c41594f (found 0x0): it was made by another program or is not what the creating rank " +
            "described", HEADER.problem(buffer(16), 0));
    }

    @Test
    void aWrongMagicIsNamed()
    {
        final NodeBuffer buffer = buffer(16);
        new LayoutHeader(0xABCDL, HEADER.version(), "another").stamp(buffer, 0);
        assertEquals("the node memory attached as a test structure does not start with its magic number " +
            "0x544553544c41594f (found 0xabcd): it was made by another program or is not what the creating rank " +
            "described", HEADER.problem(buffer, 0));
    }

    @Test
    void aWrongVersionIsNamed()
    {
        final NodeBuffer buffer = buffer(16);
        new LayoutHeader(HEADER.magic(), 4, HEADER.what()).stamp(buffer, 0);
        assertEquals("a test structure in node memory has layout version 4 but this rank's pshmem reads version 3: " +
            "every rank of a job must run the same pshmem", HEADER.problem(buffer, 0));
    }

    @Test
    void aMagicOfZeroIsRefused()
    {
        assertEquals("a layout's magic number cannot be 0", assertThrows(IllegalArgumentException.class,
            () -> new LayoutHeader(0, 1, "nothing")).getMessage());
    }
}
