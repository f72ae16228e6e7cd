package org.pshmem.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.pshmem.spi.NodeMemory;
import org.pshmem.spi.NodeSegment;

/**
 * The arena's allocator and its shared layout, over node memory simulated by direct buffers: two
 * {@link NodeArena}s over the same memory play node-rank 0 and another rank of the node.
 */
class NodeArenaTest
{
    /** Node memory of one simulated node: segments are direct buffers found by id. */
    private static final class SimulatedNode implements NodeMemory
    {
        final Map<Long, ByteBuffer> segments = new HashMap<>();
        final List<SimulatedSegment> made = new ArrayList<>();
        long nextId = 1;

        @Override
        public Capacity capacity()
        {
            return new Capacity(Long.MAX_VALUE, "test");
        }

        @Override
        public NodeSegment create(final long byteSize, final int controlBytes, final String label)
        {
            final long id = nextId++;
            segments.put(id, ByteBuffer.allocateDirect((int)byteSize));
            final SimulatedSegment segment = new SimulatedSegment(id, segments.get(id));
            made.add(segment);
            return segment;
        }

        @Override
        public NodeSegment attach(final byte[] handle, final long byteSize, final int controlBytes)
        {
            final long id = ByteBuffer.wrap(handle).getLong();
            final SimulatedSegment segment = new SimulatedSegment(id, segments.get(id));
            made.add(segment);
            return segment;
        }

        long openSegments()
        {
            return made.stream().filter(s -> !s.closed).count();
        }
    }

    private static final class SimulatedSegment implements NodeSegment
    {
        final long id;
        final ByteBuffer memory;
        boolean closed;
        boolean allAttached;

        SimulatedSegment(final long id, final ByteBuffer memory)
        {
            this.id = id;
            this.memory = memory;
        }

        @Override
        public long byteSize()
        {
            return memory.capacity();
        }

        @Override
        public byte[] handle()
        {
            return ByteBuffer.allocate(8).putLong(id).array();
        }

        @Override
        public void allAttached()
        {
            allAttached = true;
        }

        @Override
        public int windowShift()
        {
            return 30;
        }

        @Override
        public int windowCount()
        {
            return 1;
        }

        @Override
        public ByteBuffer window(final int index)
        {
            return memory.duplicate();
        }

        @Override
        public ByteBuffer control()
        {
            return ByteBuffer.allocateDirect(0);
        }

        @Override
        public void close()
        {
            closed = true;
        }

        @Override
        public void closeNow()
        {
            closed = true;
        }
    }

    private final SimulatedNode node = new SimulatedNode();
    private final NodeArena leader = new NodeArena(node);
    private final NodeArena other = new NodeArena(node);

    /** Creation as Allocation does it for two ranks: node-rank 0 places, the other maps. */
    private NodeArena.ArenaBlock[] create(final long bytes)
    {
        final NodeArena.Placement placement = leader.allocate(bytes, 2, "test");
        final NodeArena.ArenaBlock mine = leader.hold(placement, bytes);
        final NodeArena.ArenaBlock theirs = other.attach(leader.describe(placement), bytes);
        leader.allAttached(placement);
        return new NodeArena.ArenaBlock[] {mine, theirs};
    }

    @Test
    void aHundredThousandCyclesStayInTheFirstChunk()
    {
        final Random random = new Random(14);
        for (int i = 0; i < 100_000; i++)
        {
            final NodeArena.ArenaBlock[] block = create(1 + random.nextInt(4096));
            block[1].close(false);
            block[0].close(false);
        }
        assertEquals(1, leader.chunkCount(), "no chunk beyond the first");
        assertEquals(1, other.chunkCount());
        assertEquals(ArenaLayout.MIN_CHUNK_BYTES, leader.mappedBytes(), "the arena stays at its first 1 MiB");
        assertEquals(1, node.made.stream().filter(s -> s.allAttached).count(), "one chunk, its handle released once");
    }

    @Test
    void liveBlocksDoNotOverlapAndEachRankSeesTheSameBytes()
    {
        final Random random = new Random(7);
        final List<NodeArena.ArenaBlock[]> live = new ArrayList<>();
        for (int i = 0; i < 3000; i++)
        {
            final int bytes = 8 * (1 + random.nextInt(600));
            final NodeArena.ArenaBlock[] block = create(bytes);
            final ByteBuffer written = block[0].window(0);
            assertEquals(bytes, written.capacity());
            for (int at = 0; at < bytes; at += 8)
            {
                written.putLong(at, (long)i << 32 | at);
            }
            live.add(block);
        }
        assertTrue(leader.chunkCount() > 1, "the arena grew by further chunks");
        assertEquals(leader.chunkCount(), other.chunkCount(), "the other rank mapped every chunk");
        for (int i = 0; i < live.size(); i++)
        {
            final ByteBuffer seen = live.get(i)[1].window(0);
            for (int at = 0; at < seen.capacity(); at += 8)
            {
                assertEquals((long)i << 32 | at, seen.getLong(at), "array " + i + " byte " + at);
            }
        }
    }

    @Test
    void aReusedBlockIsZeroFilledAndHandedOutOnlyOnceEveryRankClosed()
    {
        final NodeArena.ArenaBlock[] first = create(100);
        first[0].window(0).putLong(0, 42);
        first[0].close(false);
        final NodeArena.ArenaBlock[] second = create(100);
        assertEquals(0, second[0].window(0).getLong(0), "a new array while the first is held elsewhere");
        second[0].window(0).putLong(0, 7);
        assertEquals(42, first[1].window(0).getLong(0), "the first array is still there for its last holder");
        first[1].close(false);
        final NodeArena.ArenaBlock[] third = create(100);
        assertEquals(0, third[1].window(0).getLong(0), "the reused block is zero-filled");
        assertEquals(7, second[1].window(0).getLong(0));
        assertEquals(1, leader.chunkCount());
    }

    @Test
    void aBlockWhoseViewEscapedIsZeroedAndNotReused()
    {
        final NodeArena.ArenaBlock[] viewed = create(64);
        final ByteBuffer view = viewed[1].window(0);
        view.putLong(0, 99);
        viewed[1].close(true);
        viewed[0].close(false);
        assertEquals(0, view.getLong(0), "a view kept past close reads zeros");
        assertEquals(64, leader.retiredBytes(), "the block is counted as kept out of reuse");
        final NodeArena.ArenaBlock[] next = create(64);
        next[0].window(0).putLong(0, 5);
        assertEquals(0, view.getLong(0), "the next array has another block");
    }

    @Test
    void releaseWaitsForTheLastArrayThenUnmapsAndRunsItsFollowUpOnce()
    {
        final NodeArena.ArenaBlock[] block = create(64);
        final AtomicInteger followUps = new AtomicInteger();
        other.release(followUps::incrementAndGet);
        other.release(followUps::incrementAndGet);
        assertEquals(0, followUps.get(), "an array of the arena is still open on this rank");
        assertEquals(2, node.openSegments());
        block[1].close(false);
        assertEquals(1, followUps.get());
        assertEquals(1, node.openSegments(), "the other rank's chunk is unmapped");
        assertThrows(IllegalStateException.class, () -> other.attach(new byte[48], 64));
        block[0].close(false);
        leader.release(() -> { });
        assertEquals(0, node.openSegments());
    }

    @Test
    void aCreationThatDidNotGoAheadGivesItsBlockBack()
    {
        final NodeArena.Placement placement = leader.allocateInMappedChunk(64, 2);
        assertNull(placement, "no chunk mapped by every rank yet");
        final NodeArena.ArenaBlock[] made = create(64);
        made[0].close(false);
        made[1].close(false);
        final NodeArena.Placement early = leader.allocateInMappedChunk(64, 2);
        leader.giveBack(early);
        final NodeArena.Placement again = leader.allocateInMappedChunk(64, 2);
        assertEquals(early.block(), again.block(), "the block given back is the next one handed out");
        final NodeArena.Placement sent = NodeArena.Placement.unpacked(again.packed(), again.blockToken());
        assertEquals(again.chunk(), sent.chunk());
        assertEquals(again.block(), sent.block());
        assertEquals(again.sizeClass(), sent.sizeClass());
        assertEquals(0, other.attachMapped(sent, 64).window(0).getLong(0));
    }

    @Test
    void memoryThatIsNotTheBlockIsRefusedWithAMessage()
    {
        final NodeArena.ArenaBlock[] made = create(64);
        final NodeArena.Placement placement = leader.allocateInMappedChunk(64, 2);
        final NodeArena.Placement forged = new NodeArena.Placement(placement.chunk(), placement.block(),
            placement.sizeClass(), placement.blockToken() + 2);
        final PshmemException wrongToken = assertThrows(PshmemException.class, () -> other.attachMapped(forged, 64));
        assertTrue(wrongToken.getMessage().contains("not the one node-rank 0 of this node handed out"),
            wrongToken.getMessage());
        made[0].close(false);
        made[1].close(false);
    }

    @Test
    void theLayoutHeadersNameAnotherVersionAndForeignMemory()
    {
        final NodeBuffer chunk = new NodeBuffer(ByteBuffer.allocateDirect(4096));
        ArenaLayout.formatChunk(chunk, 3, 11);
        assertNull(ArenaLayout.chunkProblem(chunk, 3, 11));
        assertNotEquals(null, ArenaLayout.chunkProblem(chunk, 3, 12));
        new LayoutHeader(ArenaLayout.CHUNK_HEADER.magic(), 99, "x").stamp(chunk, 0);
        assertEquals("an array arena chunk in node memory has layout version 99 but this rank's pshmem reads version " +
            ArenaLayout.CHUNK_HEADER.version() + ": every rank of a job must run the same pshmem",
            ArenaLayout.chunkProblem(chunk, 3, 11));
        final NodeBuffer zeros = new NodeBuffer(ByteBuffer.allocateDirect(4096));
        assertTrue(ArenaLayout.blockProblem(zeros, 64, 1).startsWith(
            "the node memory attached as an array arena block does not start with its magic number"));
    }

    @Test
    void sizeClassesAndChunkSizesArePowersOfTwoThatHoldTheData()
    {
        assertEquals(6, ArenaLayout.sizeClass(0));
        assertEquals(6, ArenaLayout.sizeClass(64));
        assertEquals(7, ArenaLayout.sizeClass(65));
        assertEquals(20, ArenaLayout.sizeClass(1 << 20));
        assertEquals(1 << 20, ArenaLayout.chunkBytes(1 << 20, 6));
        assertEquals(4 << 20, ArenaLayout.chunkBytes(1 << 20, 21), "a 2 MiB block and the headers need 4 MiB");
        assertFalse(ArenaLayout.maxDataBytes() + ArenaLayout.BLOCK_HEADER_BYTES + ArenaLayout.FIRST_BLOCK_OFFSET >
            ArenaLayout.MAX_CHUNK_BYTES);
    }
}
