package org.pshmem.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

/** The misuse cases' expected texts follow the job's rank count where they name a range of ranks. */
class MisuseScenariosTest
{
    @Test
    void theLockCloseCaseNamesEveryOtherRank()
    {
        final MisuseScenarios.Misuse misuse = MisuseScenarios.all().get("barrier-against-lock-close");
        assertTrue(String.join("|", misuse.expected(3)).contains("rank 0 called barrier(), ranks 1-2 called"));
        assertTrue(String.join("|", misuse.expected(4)).contains("rank 0 called barrier(), ranks 1-3 called"));
    }

    @Test
    void everyCaseExpectsSomethingOnThreeAndFourRanks()
    {
        MisuseScenarios.all().forEach((name, misuse) ->
        {
            for (final int ranks : new int[] {3, 4})
            {
                final List<String> expected = misuse.expected(ranks);
                assertFalse(expected.isEmpty(), name);
                expected.forEach(text -> assertFalse(text.isBlank(), name));
            }
        });
    }

    @Test
    void fewerThanThreeRanksIsRefused()
    {
        final IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
            () -> MisuseScenarios.all().get("lone-barrier").expected(2));
        assertEquals("the misuse cases need 3 ranks or more, not 2", refused.getMessage());
    }
}
