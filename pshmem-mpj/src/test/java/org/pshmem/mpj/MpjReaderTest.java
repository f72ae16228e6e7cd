package org.pshmem.mpj;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

/**
 * A rank whose MPJ reader thread ended fails at once, naming the cause, and the job ends naming it, instead of
 * waiting for its timeout.
 */
class MpjReaderTest
{
    @Test
    void noReaderToWatchBeforeMpjStarts()
    {
        assertNull(MpjReader.readerThread(), "no niodev in the test JVM");
        assertFalse(MpjReader.ended());
    }

    @Test
    void aReaderNotYetStartedHasNotEnded() throws Exception
    {
        final Thread made = new Thread(() -> { });
        assertFalse(MpjReader.ended(made, true), "made, not started: MPI.Init under way");
        made.start();
        made.join();
        assertTrue(MpjReader.ended(made, true), "ended while niodev means to read");
        assertFalse(MpjReader.ended(made, false), "ended by MPI.Finalize");
        assertFalse(MpjReader.ended(null, true), "no reader");
    }

    @Test
    void aRankWhoseReaderEndedFailsNamingTheCause() throws Exception
    {
        final MpjJobs.Result result = MpjJobs.run(List.of("-np", "3", "--nodes", "3", "--timeout", "120"),
            ReaderEndProbe.class.getName());
        assertEquals(1, result.status(), result.both());
        assertTrue(result.out().contains("READER_ENDED rank 1: true"), result.both());
        assertTrue(result.both().contains("rank 1") && result.both().contains(MpjReader.ENDED), result.both());
        assertFalse(result.both().contains("did not finish within"), "failed, not timed out: " + result.both());
        assertFalse(result.out().contains("NOT REACHED"), result.both());
    }
}
