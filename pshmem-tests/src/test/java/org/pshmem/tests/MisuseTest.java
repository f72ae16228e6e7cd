package org.pshmem.tests;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.pshmem.api.Pshmem;
import org.pshmem.api.PshmemException;
import org.pshmem.local.LocalJob;

/**
 * Every case of {@link MisuseScenarios} on the in-process transport, 3 ranks on one node and on two, uneven:
 * the job fails within 5 s with a message naming the calls and ranks.
 */
class MisuseTest
{
    static Stream<Arguments> cases()
    {
        return MisuseScenarios.all().keySet().stream().flatMap(name ->
            Stream.of(Arguments.of(name, 1), Arguments.of(name, 2)));
    }

    @ParameterizedTest(name = "{0} on 3 ranks, {1} node(s)")
    @MethodSource("cases")
    void everyRankEndsWithTheCallsNamed(final String name, final int nodes)
    {
        final MisuseScenarios.Misuse misuse = MisuseScenarios.all().get(name);
        final long start = System.nanoTime();
        // A hang fails here (its rank threads are left parked) instead of stopping the whole suite.
        final PshmemException failure = assertTimeoutPreemptively(Duration.ofSeconds(20), () ->
            assertThrows(PshmemException.class, () ->
                LocalJob.runMain(3, nodes, new String[0], args ->
                {
                    try (Pshmem pshmem = Pshmem.init(args))
                    {
                        misuse.body().run(pshmem);
                    }
                })));
        final long millis = (System.nanoTime() - start) / 1_000_000;
        assertTrue(millis < 5_000, name + " took " + millis + " ms");
        final String message = messages(failure);
        for (final String expected : misuse.expected(3))
        {
            assertTrue(message.contains(expected), "expected '" + expected + "' in: " + message);
        }
    }

    /** The message of the failure and of its causes, one per line. */
    private static String messages(final Throwable failure)
    {
        final StringBuilder text = new StringBuilder();
        for (Throwable cause = failure; null != cause; cause = cause.getCause())
        {
            text.append(cause.getMessage()).append('\n');
        }
        return text.toString();
    }
}
