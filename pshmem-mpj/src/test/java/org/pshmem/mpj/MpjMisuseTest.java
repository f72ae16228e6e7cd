package org.pshmem.mpj;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.pshmem.tests.MisuseJob;
import org.pshmem.tests.MisuseScenarios;

/**
 * Every case of {@link MisuseScenarios}, each in a launch of its own on 3 ranks: niodev on one
 * node and on 2 simulated nodes (uneven), and the multicore device. The job
 * ends with status 1 within 15 s of the misuse (timed from the first rank's {@link MisuseJob#START} line), with
 * the calls and ranks named, and no case needs the launcher's timeout. A quiet machine ends each case in about
 * 2 s; the bound only separates an ending from a hang (which would wait for the 60 s hang report or the
 * timeout), with room for a machine running other jobs (at a load of 25 on 2 cores, two cases took 5.2 and 6.5 s).
 */
class MpjMisuseTest
{
    private static final List<List<String>> LAYOUTS = List.of(
        List.of("-np", "3", "--device", "niodev"),
        List.of("-np", "3", "--device", "niodev", "--nodes", "2"),
        List.of("-np", "3", "--device", "multicore"));

    static Stream<Arguments> cases()
    {
        return LAYOUTS.stream().flatMap(layout -> MisuseScenarios.all().keySet().stream()
            .map(name -> Arguments.of(name, layout)));
    }

    @ParameterizedTest(name = "{0} on {1}")
    @MethodSource("cases")
    void everyRankEndsWithTheCallsNamed(final String name, final List<String> layout)
    {
        final AtomicLong started = new AtomicLong();
        final List<String> options = new java.util.ArrayList<>(layout);
        options.addAll(List.of("--timeout", "120"));
        final MpjJobs.Result result = MpjJobs.run(options, line ->
        {
            if (line.startsWith(MisuseJob.START))
            {
                started.compareAndSet(0, System.nanoTime());
            }
        }, MisuseJob.class.getName(), name);
        final long ended = System.nanoTime();
        assertTrue(started.get() != 0, "a rank started the misuse: " + result.both());
        final long millis = (ended - started.get()) / 1_000_000;
        assertEquals(1, result.status(), result.both());
        assertTrue(millis < 15_000, name + " ended " + millis + " ms after the misuse: " + result.both());
        assertTrue(!result.both().contains("did not finish within"), result.both());
        for (final String expected : MisuseScenarios.all().get(name).expected(3))
        {
            assertTrue(result.both().contains(expected), "expected '" + expected + "' in: " + result.both());
        }
    }
}
