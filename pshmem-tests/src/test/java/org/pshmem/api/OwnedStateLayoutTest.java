package org.pshmem.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.pshmem.api.LayoutAssertions.assertDisjointAndAligned;
import static org.pshmem.api.LayoutAssertions.wrongMagic;
import static org.pshmem.api.LayoutAssertions.wrongVersion;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.pshmem.local.LocalJob;

/**
 * The node memory of the lock, counter, semaphore, condition and batch states: the frame's regions, one magic
 * per structure, and a header of another structure or version failing on every rank when they attach.
 */
class OwnedStateLayoutTest
{
    private static final List<LayoutHeader> STRUCTURES = List.of(DistributedLock.LAYOUT, SharedCounter.LAYOUT,
        DistributedSemaphore.LAYOUT, DistributedCondition.LAYOUT, TaskBatch.LAYOUT);

    @Test
    void theMutexAndSlotsFollowTheHeaderAlignedAndDisjoint()
    {
        for (final int slots : new int[] {1, 5, 130})
        {
            final int[][] regions = new int[2 + slots][];
            regions[0] = new int[] {0, LayoutHeader.BYTES};
            regions[1] = new int[] {OwnedStateLayout.MUTEX, Long.BYTES};
            for (int i = 0; i < slots; i++)
            {
                regions[2 + i] = new int[] {OwnedStateLayout.slot(i), OwnedStateLayout.SLOT_BYTES};
            }
            assertDisjointAndAligned(OwnedStateLayout.bytes(slots), regions);
            assertEquals(OwnedStateLayout.bytes(slots), Long.BYTES * OwnedStateLayout.longs(slots));
        }
    }

    @Test
    void everyStructureOfNodeMemoryHasItsOwnMagic()
    {
        final long[] magics = java.util.stream.Stream.concat(STRUCTURES.stream(),
            java.util.stream.Stream.of(ArrayControlLayout.HEADER, CallBoardLayout.HEADER, ArenaLayout.CHUNK_HEADER,
                ArenaLayout.BLOCK_HEADER))
            .mapToLong(LayoutHeader::magic).toArray();
        assertEquals(magics.length, Arrays.stream(magics).distinct().count(), Arrays.toString(magics));
    }

    @Test
    void aStampedHeaderPassesAndAnotherMagicOrVersionIsNamed()
    {
        for (final LayoutHeader header : STRUCTURES)
        {
            final NodeBuffer memory = new NodeBuffer(ByteBuffer.allocateDirect(OwnedStateLayout.bytes(3)));
            header.stamp(memory, 0);
            assertNull(header.problem(memory, 0), header.what());
            final LayoutHeader other = header == SharedCounter.LAYOUT ? DistributedLock.LAYOUT : SharedCounter.LAYOUT;
            assertEquals(wrongMagic(header, other.magic()), header.problem(stampedWith(other), 0));
            new LayoutHeader(header.magic(), header.version() + 1, header.what()).stamp(memory, 0);
            assertEquals(wrongVersion(header, header.version() + 1), header.problem(memory, 0));
        }
    }

    private static NodeBuffer stampedWith(final LayoutHeader header)
    {
        final NodeBuffer memory = new NodeBuffer(ByteBuffer.allocateDirect(OwnedStateLayout.bytes(1)));
        header.stamp(memory, 0);
        return memory;
    }

    @Test
    void theMessagesSayWhatWasFound()
    {
        assertEquals("the node memory attached as the state of a lock does not start with its magic number " +
            "0x5053484d4c4f434b (found 0x5053484d434e5452): it was made by another program or is not what the " +
            "creating rank described", DistributedLock.LAYOUT.problem(stampedWith(SharedCounter.LAYOUT), 0));
        assertEquals("the state of a task batch in node memory has layout version 7 but this rank's pshmem reads " +
            "version 1: every rank of a job must run the same pshmem", TaskBatch.LAYOUT.problem(stampedWith(
                new LayoutHeader(TaskBatch.LAYOUT.magic(), 7, TaskBatch.LAYOUT.what())), 0));
    }

    @Test
    void oneRankOfAnotherVersionFailsEveryRank()
    {
        final LayoutHeader lock = DistributedLock.LAYOUT;
        final LayoutHeader newer = new LayoutHeader(lock.magic(), lock.version() + 1, lock.what());
        final String[] seen = new String[3];
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> LocalJob.run(3, world ->
        {
            try (SharedLongArray memory = SharedArray.ofLongs(world, OwnedStateLayout.longs(4)))
            {
                seen[world.rank()] = assertThrows(PshmemException.class, () -> OwnedState.attach(world, 0, memory,
                    lock, world.rank() == 2 ? newer : lock)).getMessage();
            }
        }));
        for (int rank = 0; rank < 3; rank++)
        {
            assertEquals("creating the state of a lock failed on rank 2: " + wrongVersion(newer, lock.version()),
                seen[rank], "rank " + rank);
        }
    }

    @Test
    void memoryOfAnotherStructureFailsEveryRank()
    {
        final String[] seen = new String[2];
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> LocalJob.run(2, world ->
        {
            try (SharedLongArray memory = SharedArray.ofLongs(world, OwnedStateLayout.longs(1)))
            {
                seen[world.rank()] = assertThrows(PshmemException.class, () -> OwnedState.attach(world, 1, memory,
                    SharedCounter.LAYOUT, DistributedLock.LAYOUT)).getMessage();
            }
        }));
        final String expected = "creating the state of a lock failed on rank 0: " +
            wrongMagic(DistributedLock.LAYOUT, SharedCounter.LAYOUT.magic());
        assertEquals(List.of(expected, expected), List.of(seen));
    }

    @Test
    void aStateOnOneNodeIsMadeAndUsed()
    {
        final long[] values = new long[3];
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> LocalJob.run(3, world ->
        {
            try (SharedCounter counter = SharedCounter.builder(world).build())
            {
                values[world.rank()] = counter.getAndIncrement();
            }
        }));
        Arrays.sort(values);
        assertEquals("[0, 1, 2]", Arrays.toString(values));
    }
}
