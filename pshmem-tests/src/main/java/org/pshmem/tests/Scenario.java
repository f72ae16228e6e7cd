package org.pshmem.tests;

import org.pshmem.api.Pshmem;

/**
 * The code every rank of a conformance scenario runs, given its initialised runtime.
 */
@FunctionalInterface
public interface Scenario
{
    /**
     * @param pshmem this rank's runtime.
     * @throws Exception any failure, which fails the scenario.
     */
    void run(Pshmem pshmem) throws Exception;
}
