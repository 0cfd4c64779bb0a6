// Oversight: verifiable expert draws, complaint case steps, inspection plans and inspections.
CREATE CONSTRAINT expert_draw_id IF NOT EXISTS FOR (d:ExpertDraw) REQUIRE d.id IS UNIQUE;
CREATE CONSTRAINT complaint_case_complaint IF NOT EXISTS FOR (k:ComplaintCase) REQUIRE k.complaint IS UNIQUE;
CREATE CONSTRAINT inspection_plan_id IF NOT EXISTS FOR (p:InspectionPlan) REQUIRE p.id IS UNIQUE;
CREATE CONSTRAINT inspection_id IF NOT EXISTS FOR (i:Inspection) REQUIRE i.id IS UNIQUE;
CREATE INDEX inspection_target IF NOT EXISTS FOR (i:Inspection) ON (i.target);
CREATE INDEX complaint_outcome IF NOT EXISTS FOR (c:Complaint) ON (c.outcome);
