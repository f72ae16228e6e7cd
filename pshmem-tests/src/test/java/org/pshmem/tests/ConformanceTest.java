package org.pshmem.tests;

import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every conformance scenario on every transport present and every layout: each rank checks the results
 * itself, and a failed check on any rank fails the job and the test.
 */
class ConformanceTest
{
    static Stream<Arguments> sharedArrayCases()
    {
        return cases(SharedArrayScenarios.all());
    }

    static Stream<Arguments> lockCases()
    {
        return cases(LockScenarios.all());
    }

    static Stream<Arguments> communicatorCases()
    {
        return cases(CommunicatorScenarios.all());
    }

    static Stream<Arguments> coordinationCases()
    {
        return cases(CoordinationScenarios.all());
    }

    static Stream<Arguments> syncCases()
    {
        return cases(SyncScenarios.all());
    }

    private static Stream<Arguments> cases(final Map<String, Scenario> scenarios)
    {
        return TransportUnderTest.layouts().stream().flatMap(layout ->
            scenarios.keySet().stream().map(name -> Arguments.of(name, layout)));
    }

    @ParameterizedTest(name = "{0} on {1}")
    @MethodSource("sharedArrayCases")
    void sharedArray(final String scenario, final TransportUnderTest.Layout layout)
    {
        TransportUnderTest.run(layout, SharedArrayScenarios.all().get(scenario));
    }

    @ParameterizedTest(name = "{0} on {1}")
    @MethodSource("coordinationCases")
    void coordination(final String scenario, final TransportUnderTest.Layout layout)
    {
        TransportUnderTest.run(layout, CoordinationScenarios.all().get(scenario));
    }

    @ParameterizedTest(name = "{0} on {1}")
    @MethodSource("lockCases")
    void lock(final String scenario, final TransportUnderTest.Layout layout)
    {
        TransportUnderTest.run(layout, LockScenarios.all().get(scenario));
    }

    @ParameterizedTest(name = "{0} on {1}")
    @MethodSource("syncCases")
    void sync(final String scenario, final TransportUnderTest.Layout layout)
    {
        TransportUnderTest.run(layout, SyncScenarios.all().get(scenario));
    }

    @ParameterizedTest(name = "{0} on {1}")
    @MethodSource("communicatorCases")
    void communicator(final String scenario, final TransportUnderTest.Layout layout)
    {
        TransportUnderTest.run(layout, CommunicatorScenarios.all().get(scenario));
    }
}
