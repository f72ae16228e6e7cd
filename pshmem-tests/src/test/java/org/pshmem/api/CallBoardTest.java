package org.pshmem.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.pshmem.api.LayoutAssertions.assertDisjointAndAligned;
import static org.pshmem.api.LayoutAssertions.wrongMagic;
import static org.pshmem.api.LayoutAssertions.wrongVersion;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;

import org.junit.jupiter.api.Test;
import org.pshmem.api.CallBoard.ArrayCall;
import org.pshmem.local.LocalJob;
import org.pshmem.spi.Fingerprint;

/** The board of calls: what a rank posts, the check made while parking, and the message naming every call. */
class CallBoardTest
{
    private static final String HEAD = "collectives do not match at call 2 of the world communicator since its " +
        "first array: ";

    /** The boards of {@code ranks} ranks over one piece of node memory, as ranks of one node see it. */
    private static CallBoard[] boards(final int ranks, final boolean[] here)
    {
        final ByteBuffer slots = ByteBuffer.allocateDirect(CallBoard.bytes(ranks));
        final CallBoard[] boards = new CallBoard[ranks];
        for (int r = 0; r < ranks; r++)
        {
            boards[r] = new CallBoard(slots, r, here, "the world communicator");
        }
        return boards;
    }

    @Test
    void sameCallsAtTheSameNumberAreNoMismatch()
    {
        final CallBoard[] boards = boards(3, new boolean[] {true, true, true});
        for (final CallBoard board : boards)
        {
            board.post(ArrayCall.CREATE, 1);
            board.post(ArrayCall.SET, 1);
        }
        for (final CallBoard board : boards)
        {
            assertNull(board.mismatchHere());
        }
        assertEquals(boards[0].posted(), boards[2].posted());
    }

    @Test
    void differentCallsAreNamedWithTheirRanks()
    {
        final CallBoard[] boards = boards(3, new boolean[] {true, true, true});
        for (final CallBoard board : boards)
        {
            board.post(ArrayCall.CREATE, 1);
        }
        boards[0].postCollective(Fingerprint.callCode(Fingerprint.Collective.BARRIER, null, null));
        boards[1].post(ArrayCall.SET, 1);
        boards[2].post(ArrayCall.SET, 1);
        final String expected = HEAD + "rank 0 called barrier(), ranks 1-2 called set() on array 1";
        assertEquals(expected, boards[0].mismatchHere().getMessage());
        assertEquals(expected, boards[2].mismatchHere().getMessage());
    }

    @Test
    void aRankBehindIsShownWithItsNumber()
    {
        final CallBoard[] boards = boards(2, new boolean[] {true, true});
        boards[0].post(ArrayCall.CREATE, 1);
        boards[0].post(ArrayCall.ASSIGN, 1);
        boards[1].post(ArrayCall.CREATE, 1);
        // Rank 1 has not reached call 2: nothing differs yet at rank 0's number.
        assertNull(boards[0].mismatchHere());
        assertEquals(HEAD + "rank 0 called assign() on array 1, rank 1 called the creation of array 1 (call 1)",
            boards[0].mismatchOfNode().getMessage());
    }

    @Test
    void ranksOfOtherNodesAreLeftOutUntilKnown()
    {
        final boolean[] here = {true, false, true};
        final CallBoard[] boards = boards(3, here);
        boards[0].post(ArrayCall.CREATE, 1);
        boards[0].post(ArrayCall.SET, 1);
        boards[2].post(ArrayCall.CREATE, 2);
        boards[2].post(ArrayCall.SET, 2);
        assertArrayEquals(new long[] {boards[0].posted(), 0, boards[2].posted()}, boards[0].codesHere());
        assertEquals(HEAD + "rank 0 called set() on array 1, rank 2 called set() on array 2",
            boards[0].mismatchHere().getMessage());
        final long[] all = {boards[0].posted(), boards[2].posted(), boards[2].posted()};
        assertEquals(HEAD + "rank 0 called set() on array 1, ranks 1-2 called set() on array 2",
            boards[0].mismatch(all, new boolean[] {true, true, true}).getMessage());
    }

    @Test
    void aClosedBoardPostsAndFindsNothing()
    {
        final CallBoard[] boards = boards(2, new boolean[] {true, true});
        boards[0].post(ArrayCall.SET, 1);
        boards[1].post(ArrayCall.CREATE, 2);
        boards[0].close();
        assertNull(boards[0].mismatchHere());
        assertEquals(0, boards[0].posted());
        boards[0].post(ArrayCall.CREATE, 3);
        assertEquals(0, boards[0].codesHere()[0]);
    }

    @Test
    void slotsFollowTheHeaderAlignedAndDisjoint()
    {
        for (final int ranks : new int[] {1, 3, 64})
        {
            final int[][] regions = new int[1 + ranks][];
            regions[0] = new int[] {0, LayoutHeader.BYTES};
            for (int r = 0; r < ranks; r++)
            {
                regions[1 + r] = new int[] {CallBoardLayout.slot(r), CallBoardLayout.SLOT_BYTES};
            }
            assertDisjointAndAligned(CallBoard.bytes(ranks), regions);
            assertEquals(LayoutHeader.BYTES + 8 * ranks, CallBoard.bytes(ranks));
        }
    }

    @Test
    void theFirstBoardStampsTheHeaderAndEveryBoardPassesIt()
    {
        final ByteBuffer memory = ByteBuffer.allocateDirect(CallBoard.bytes(2));
        final CallBoard first = new CallBoard(memory, 0, new boolean[] {true, true}, "the world communicator");
        assertNull(CallBoardLayout.HEADER.problem(new NodeBuffer(memory), 0));
        final CallBoard second = new CallBoard(memory, 1, new boolean[] {true, true}, "the world communicator");
        assertNull(first.layoutProblem());
        assertNull(second.layoutProblem());
    }

    @Test
    void aBoardOverAnotherMagicPostsForeignAndFailsWithTheProblem()
    {
        final ByteBuffer memory = ByteBuffer.allocateDirect(CallBoard.bytes(2));
        new LayoutHeader(0x1234L, 1, "another structure").stamp(new NodeBuffer(memory), 0);
        final CallBoard board = new CallBoard(memory, 1, new boolean[] {true, true}, "the world communicator");
        final String expected = wrongMagic(CallBoardLayout.HEADER, 0x1234L);
        assertEquals("the node memory attached as the board of array calls does not start with its magic number " +
            "0x5053484d43414c4c (found 0x1234): it was made by another program or is not what the creating rank " +
            "described", expected);
        assertEquals(expected, board.layoutProblem());
        board.post(ArrayCall.CREATE, 1);
        assertEquals(CallBoard.FOREIGN, board.posted());
        assertNull(board.mismatchHere(), "not alone while parking: the reduction fails every rank together");
        assertEquals(expected, board.mismatchOfNode().getMessage());
        assertEquals(expected, board.mismatchOfAll(new long[] {0, CallBoard.FOREIGN}).getMessage());
    }

    @Test
    void aBoardOverAnotherVersionFailsAndTheOthersNameIt()
    {
        final ByteBuffer memory = ByteBuffer.allocateDirect(CallBoard.bytes(2));
        final boolean[] here = {true, true};
        final CallBoard good = new CallBoard(memory, 0, here, "the world communicator");
        final LayoutHeader header = CallBoardLayout.HEADER;
        new LayoutHeader(header.magic(), header.version() + 1, header.what()).stamp(new NodeBuffer(memory), 0);
        final CallBoard bad = new CallBoard(memory, 1, here, "the world communicator");
        final String expected = wrongVersion(header, header.version() + 1);
        assertEquals("the board of array calls in node memory has layout version 2 but this rank's pshmem reads " +
            "version 1: every rank of a job must run the same pshmem", expected);
        assertEquals(expected, bad.layoutProblem());
        good.post(ArrayCall.CREATE, 1);
        good.post(ArrayCall.SET, 1);
        bad.post(ArrayCall.CREATE, 1);
        assertEquals(HEAD + "rank 0 called set() on array 1, rank 1 called nothing, as its board's node memory is " +
            "of another layout", good.mismatchOfNode().getMessage());
    }

    @Test
    void aForeignBoardFailsTheReductionOnEveryRankOfOneNode()
    {
        final String[] seen = reduceWithRankOneForeign(1);
        final String foreign = wrongVersion(CallBoardLayout.HEADER, CallBoardLayout.HEADER.version() + 1);
        final String others = "collectives do not match at call 1 of the world communicator since its first " +
            "array: ranks 0, 2 called the creation of array 1, rank 1 called nothing, as its board's node memory " +
            "is of another layout";
        assertEquals(Arrays.asList(others, foreign, others), Arrays.asList(seen));
    }

    @Test
    void aForeignBoardFailsTheReductionOnEveryRankOfEveryNode()
    {
        final String[] seen = reduceWithRankOneForeign(2);
        final String all = "collectives do not match at call 1 of the world communicator since its first array: " +
            "ranks 0, 2-3 called the creation of array 1, rank 1 called nothing, as its board's node memory is of " +
            "another layout";
        assertEquals(Arrays.asList(all, all, all, all), Arrays.asList(seen));
    }

    /**
     * Ranks, 3 on one node or 2 on each of 2 nodes, post the creation of array 1 and reduce, rank 1's board
     * having found a header of another version.
     *
     * @return the message each rank failed with.
     */
    private static String[] reduceWithRankOneForeign(final int nodes)
    {
        final int ranks = nodes == 1 ? 3 : 4;
        final CallBoard[] boards = new CallBoard[ranks];
        final ByteBuffer[] controls = new ByteBuffer[nodes];
        for (int node = 0; node < nodes; node++)
        {
            final int size = ranks / nodes;
            controls[node] = ByteBuffer.allocateDirect(NodeSync.controlBytes(size));
            NodeSync.writeToken(controls[node], 42);
            final boolean[] here = new boolean[ranks];
            Arrays.fill(here, node * size, (node + 1) * size, true);
            final ByteBuffer memory = ByteBuffer.allocateDirect(CallBoard.bytes(ranks));
            final NodeBuffer header = new NodeBuffer(memory);
            for (int r = node * size; r < (node + 1) * size; r++)
            {
                final LayoutHeader layout = CallBoardLayout.HEADER;
                new LayoutHeader(layout.magic(), layout.version() + (r == 1 ? 1 : 0), layout.what()).stamp(header, 0);
                boards[r] = new CallBoard(memory, r, here, "the world communicator");
            }
        }
        final String[] seen = new String[ranks];
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> LocalJob.run(ranks, nodes, world ->
        {
            final NodeSync sync;
            if (nodes == 1)
            {
                sync = new NodeSync(controls[0], world.endpoint(), null, true);
            }
            else
            {
                final Communicator node = world.splitByNode();
                final Communicator leaders = world.split(node.rank() == 0 ? 0 : Communicator.UNDEFINED,
                    world.rank());
                sync = new NodeSync(controls[world.rank() / 2], node.endpoint(),
                    null == leaders ? null : leaders.endpoint(), false);
            }
            sync.watch(boards[world.rank()]);
            boards[world.rank()].post(ArrayCall.CREATE, 1);
            seen[world.rank()] = assertThrows(PshmemException.class, () -> sync.minMax("test", 5)).getMessage();
        }));
        return seen;
    }

    @Test
    void othersInCommunicatorCollectivesAreToldFromOthersInArrayCalls()
    {
        final CallBoard[] boards = boards(3, new boolean[] {true, true, true});
        final int barrier = Fingerprint.callCode(Fingerprint.Collective.BARRIER, null, null);
        final int allReduce = Fingerprint.callCode(Fingerprint.Collective.ALL_REDUCE, new int[1], ReduceOp.SUM);
        boards[0].postCollective(barrier);
        boards[1].postCollective(allReduce);
        boards[2].postCollective(allReduce);
        assertNotNull(boards[0].mismatchHere());
        assertTrue(boards[0].othersInEndpointCollectives());
        boards[0].postCollective(barrier);
        boards[1].postCollective(barrier);
        boards[2].post(ArrayCall.SET, 1);
        assertNotNull(boards[0].mismatchHere());
        assertFalse(boards[0].othersInEndpointCollectives());
    }
}
