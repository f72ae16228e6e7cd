package org.pshmem.mpj;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import org.junit.jupiter.api.Test;
import org.pshmem.api.PshmemException;
import org.pshmem.api.RankFailedException;
import org.pshmem.spi.FailureSummary;

/**
 * Which failures of a rank are another rank's fault (the rank is then marked stopped, not failed).
 */
class GuardedRankTest
{
    @Test
    void aRankFailedExceptionNamingAnotherRankIsFoundAmongTheCauses()
    {
        final RankFailedException another = new RankFailedException(1, "barrier() on rank 2: rank 1 failed", null);
        assertSame(another, FailureSummary.causedByAnother(another, 2));
        assertSame(another, FailureSummary.causedByAnother(new PshmemException("set() failed", another), 2));
    }

    @Test
    void aRanksOwnFailureIsItsOwn()
    {
        assertNull(FailureSummary.causedByAnother(new IllegalStateException("bug"), 2));
        assertNull(FailureSummary.causedByAnother(new RankFailedException(2, "rank 2 itself", null), 2));
    }
}
