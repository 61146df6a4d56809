"""The synthetic portfolio's building blocks: calendar, people, simulation, schedules, repayments,
Arrow tables and dirty rows. `creditline.generate` wires them together."""
