package org.pshmem.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.List;
import java.util.concurrent.atomic.AtomicReferenceArray;

import org.junit.jupiter.api.Test;
import org.pshmem.local.LocalJob;

/**
 * Collective error agreement, on ranks run as threads: facts are gathered rank after rank, a problem on some
 * ranks makes every rank throw the same exception naming the lowest of them, and texts are shared intact.
 */
class AgreementTest
{
    /** The cause each rank has for its problem, if it has one. */
    private static final Throwable[] CAUSES = {null, new RuntimeException("cause 1"), null, new RuntimeException("c3")};

    @Test
    void exchangeGathersEveryRanksStatusAndFacts()
    {
        final Agreement.Facts[] gathered = new Agreement.Facts[3];
        LocalJob.run(3, world -> gathered[world.rank()] = Agreement.exchange(world.endpoint(),
            world.rank() == 1 ? Agreement.Status.FAILURE : Agreement.Status.OK, world.rank() * 10L, 7));
        for (int rank = 0; rank < 3; rank++)
        {
            final Agreement.Facts facts = gathered[rank];
            assertEquals(3, facts.ranks(), "rank " + rank);
            assertEquals(List.of(Agreement.Status.OK, Agreement.Status.FAILURE, Agreement.Status.OK),
                List.of(facts.status(0), facts.status(1), facts.status(2)), "rank " + rank);
            assertEquals(List.of(0L, 7L, 10L, 7L, 20L, 7L), List.of(facts.fact(0, 0), facts.fact(0, 1),
                facts.fact(1, 0), facts.fact(1, 1), facts.fact(2, 0), facts.fact(2, 1)), "rank " + rank);
            assertArrayEquals(new int[] {1, 2}, facts.disagreeing(0), "rank " + rank);
            assertArrayEquals(new int[0], facts.disagreeing(1), "rank " + rank);
        }
    }

    @Test
    void aBadArgumentOnSomeRanksThrowsTheLowestOnesProblemEverywhere()
    {
        final AtomicReferenceArray<Throwable> thrown = agreeOn(Agreement.Status.BAD_ARGUMENT);
        for (int rank = 0; rank < 4; rank++)
        {
            final Throwable ex = thrown.get(rank);
            assertEquals(IllegalArgumentException.class, ex.getClass(), "rank " + rank);
            assertEquals("test() failed on rank 1: problem of rank 1", ex.getMessage(), "rank " + rank);
            if (rank == 1)
            {
                assertSame(CAUSES[1], ex.getCause(), "the rank at fault keeps its cause");
            }
            else
            {
                assertNull(ex.getCause(), "rank " + rank);
            }
        }
    }

    @Test
    void aFailureOnSomeRanksThrowsAPshmemExceptionEverywhere()
    {
        final AtomicReferenceArray<Throwable> thrown = agreeOn(Agreement.Status.FAILURE);
        for (int rank = 0; rank < 4; rank++)
        {
            assertEquals(PshmemException.class, thrown.get(rank).getClass(), "rank " + rank);
            assertEquals("test() failed on rank 1: problem of rank 1", thrown.get(rank).getMessage());
        }
    }

    /** Ranks 1 and 3 have a problem with {@code status}; what each rank threw, or null. */
    private static AtomicReferenceArray<Throwable> agreeOn(final Agreement.Status kind)
    {
        final AtomicReferenceArray<Throwable> thrown = new AtomicReferenceArray<>(4);
        LocalJob.run(4, world ->
        {
            final boolean bad = world.rank() % 2 == 1;
            try
            {
                Agreement.check(world.endpoint(), "test()", kind, bad ? "problem of rank " + world.rank() : null,
                    CAUSES[world.rank()]);
            }
            catch (final RuntimeException ex)
            {
                thrown.set(world.rank(), ex);
            }
        });
        return thrown;
    }

    @Test
    void noProblemThrowsNothing()
    {
        final AtomicReferenceArray<Throwable> thrown = new AtomicReferenceArray<>(2);
        LocalJob.run(2, world ->
        {
            final Agreement.Facts facts = Agreement.exchange(world.endpoint(), Agreement.Status.OK, 5);
            Agreement.raiseIfAny(world.endpoint(), "test()", facts, null, null);
            thrown.set(world.rank(), new Throwable("reached the end"));
        });
        assertEquals("reached the end", thrown.get(0).getMessage());
        assertEquals("reached the end", thrown.get(1).getMessage());
    }

    @Test
    void shareSendsTheRootsTextIntact()
    {
        final AtomicReferenceArray<String> received = new AtomicReferenceArray<>(3);
        LocalJob.run(3, world -> received.set(world.rank(),
            Agreement.share(world.endpoint(), 2, world.rank() == 2 ? "ré 2 ✓" : "ignored")));
        assertEquals("[ré 2 ✓, ré 2 ✓, ré 2 ✓]", received.toString());
        LocalJob.run(2, world -> received.set(world.rank(), Agreement.share(world.endpoint(), 0, null)));
        assertEquals("null", received.get(1), "a null text arrives as \"null\"");
    }

    @Test
    void statusesTravelAsTheirCodes()
    {
        for (final Agreement.Status status : Agreement.Status.values())
        {
            assertEquals(status, Agreement.Status.of(status.code()));
        }
        assertEquals(0, Agreement.Status.OK.code(), "the code of OK is what a rank with no problem sends");
        assertEquals(Agreement.Status.OK, Agreement.Status.of(null, Agreement.Status.FAILURE));
        assertEquals(Agreement.Status.FAILURE, Agreement.Status.of("gone", Agreement.Status.FAILURE));
    }

    @Test
    void ranksAreDescribedAsMessagesNameThem()
    {
        assertEquals("rank 2", Agreement.describe(new int[] {2}));
        assertEquals("ranks 1, 3", Agreement.describe(new int[] {1, 3}));
        assertEquals("ranks 0-2, 5", Agreement.describe(new int[] {0, 1, 2, 5}));
    }
}
